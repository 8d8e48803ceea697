import { UsageError } from "../../core/errors.js";
import { splitShellWords } from "../../core/shell-words.js";
import { executorNamed } from "../../capture/executors/executors.js";
import { loadRulesFile } from "../../capture/rules-file.js";
import type { RunPlan } from "../../capture/run-plan.js";
import { resolve } from "node:path";
import { studySize } from "../../analysis/study.js";
import { loadSweepFile } from "../../capture/sweep-file.js";
import { submitPlan, waitForStudy, type SearchSubmission } from "../../capture/submit.js";
import { RULES_FILE } from "../../core/rules.js";
import { renderJson } from "../../report/format.js";
import type { ExperimentStore } from "../../api/workspace.js";
import type { Context } from "../context.js";
import { optNumber, optString, outputFormat, positiveInt } from "../options.js";
import { printSummary } from "./run.js";

/** `git exp run --on slurm`: submit the planned points as one job; with --wait, summarise as a local sweep. */
export async function submitRun(ctx: Context, args: Record<string, unknown>, store: ExperimentStore, plan: RunPlan, on: string): Promise<number> {
  const executor = executorNamed(on);
  const extra = optString(args[executor.name]);
  const other = ["slurm"].find((k) => k !== executor.name && args[k] !== undefined);
  if (other) throw new UsageError(`--${other} goes with --on ${other}, not --on ${on}`);
  const search = args["sweep"] === undefined ? undefined : await searchOf(args, plan);
  const rules = await loadRulesFile(store.repo);
  const defaults = executor.defaults(rules?.[executor.name as "slurm"], RULES_FILE);
  const sub = await submitPlan(store, plan, {
    executor,
    args: extra === undefined ? [] : splitShellWords(extra, `--${executor.name}`),
    defaults,
    // -j says how many at once; without it the scheduler decides.
    atOnce: args["jobs"] === undefined ? undefined : plan.jobs,
    search,
  });
  const { io } = ctx;
  if (!args["wait"]) {
    if (outputFormat(args) === "json") io.stdout(renderJson({ job: sub.job, sweep: sub.sweep, trials: sub.trials, study: sub.dir }));
    else io.stdout(`submitted job ${sub.job}, sweep ${sub.sweep} (${sub.trials} trial${sub.trials === 1 ? "" : "s"}${search ? `, ${search.workers} worker${search.workers === 1 ? "" : "s"}` : ""})\n`);
    io.stderr(`git exp: follow it with 'git exp ls --running', stop it with 'git exp cancel ${sub.sweep}'; logs in ${sub.dir}\n`);
    return 0;
  }
  io.stderr(`git exp: submitted job ${sub.job}, sweep ${sub.sweep} (${sub.trials} trials); waiting for it\n`);
  const summary = await waitForStudy(store, sub, executor, plan.request.environ, { onState: (t) => io.stderr(`git exp: ${t}\n`) });
  printSummary(ctx, args, summary, sub.trials);
  return summary.exitCode;
}

/** --sweep FILE: checked here, before anything is submitted; -j N is the number of workers (default 1). */
async function searchOf(args: Record<string, unknown>, plan: RunPlan): Promise<SearchSubmission> {
  const shownAs = String(args["sweep"]);
  const r = plan.request;
  if (r.gridFile !== undefined) throw new UsageError("give --sweep FILE or --grid FILE, not both");
  if (plan.points.length > 1) throw new UsageError("with --sweep, the sweep file says what varies: give -p and --seed one value each (they set the base config)");
  const file = resolve(r.cwd, shownAs);
  const spec = await loadSweepFile(file, shownAs);
  const trials = positiveInt(args["trials"], "trials");
  const seed = optNumber(args["sampler-seed"], "sampler-seed");
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) throw new UsageError(`--sampler-seed takes a whole number, 0 or more, not ${String(args["sampler-seed"])}`);
  const size = studySize(spec, trials);
  return { file, shownAs, spec, size, trials, samplerSeed: seed, workers: Math.min(plan.jobs, size) };
}

import { UsageError } from "../../core/errors.js";
import { splitShellWords } from "../../core/shell-words.js";
import { executorNamed } from "../../capture/executors/executors.js";
import { loadRulesFile } from "../../capture/rules-file.js";
import type { RunPlan } from "../../capture/run-plan.js";
import { submitPlan, waitForStudy } from "../../capture/submit.js";
import { RULES_FILE } from "../../core/rules.js";
import { renderJson } from "../../report/format.js";
import type { ExperimentStore } from "../../store/experiment-store.js";
import type { Context } from "../context.js";
import { optString, outputFormat } from "../options.js";
import { printSummary } from "./run.js";

/** `git exp run --on slurm`: submit the planned points as one job; with --wait, summarise as a local sweep. */
export async function submitRun(ctx: Context, args: Record<string, unknown>, store: ExperimentStore, plan: RunPlan, on: string): Promise<number> {
  const executor = executorNamed(on);
  const extra = optString(args[executor.name]);
  const other = ["slurm"].find((k) => k !== executor.name && args[k] !== undefined);
  if (other) throw new UsageError(`--${other} goes with --on ${other}, not --on ${on}`);
  const rules = await loadRulesFile(store.repo);
  const defaults = executor.defaults(rules?.[executor.name as "slurm"], RULES_FILE);
  const sub = await submitPlan(store, plan, {
    executor,
    args: extra === undefined ? [] : splitShellWords(extra, `--${executor.name}`),
    defaults,
    // -j says how many at once; without it the scheduler decides.
    atOnce: args["jobs"] === undefined ? undefined : plan.jobs,
  });
  const { io } = ctx;
  if (!args["wait"]) {
    if (outputFormat(args) === "json") io.stdout(renderJson({ job: sub.job, sweep: sub.sweep, trials: sub.trials, study: sub.dir }));
    else io.stdout(`submitted job ${sub.job}, sweep ${sub.sweep} (${sub.trials} trial${sub.trials === 1 ? "" : "s"})\n`);
    io.stderr(`git exp: follow it with 'git exp ls --running', stop it with 'git exp cancel ${sub.sweep}'; logs in ${sub.dir}\n`);
    return 0;
  }
  io.stderr(`git exp: submitted job ${sub.job}, sweep ${sub.sweep} (${sub.trials} trials); waiting for it\n`);
  const summary = await waitForStudy(store, sub, executor, plan.request.environ, { onState: (t) => io.stderr(`git exp: ${t}\n`) });
  printSummary(ctx, args, summary, sub.trials);
  return summary.exitCode;
}

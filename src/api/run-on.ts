import { executorNamed } from "../capture/executors/executors.js";
import { loadRulesFile } from "../capture/rules-file.js";
import { submitPlan, waitForStudy, type SearchSubmission, type Submission } from "../capture/submit.js";
import { UsageError } from "../core/errors.js";
import { RULES_FILE } from "../core/rules.js";
import { splitShellWords } from "../core/shell-words.js";
import { plan as planOf, type RunRequest, type RunSummary } from "./run.js";
import { checkSweepBase, readSweepFile, type SweepFileRequest } from "./sweep.js";
import { pull } from "./pull.js";
import type { Workspace } from "./workspace.js";

export type { Submission };

/** The schedulers' own options by executor, each one string as given (`--slurm "--partition=gpu --time=4:00:00"`). */
export type SchedulerOptions = Partial<Record<string, string>>;

export interface RunOnRequest {
  /** What `run` is given (the command, its configs: one point, a grid or seeds; `jobs` caps how many run at once). */
  run: Omit<RunRequest, "cwd" | "environ">;
  /** The scheduler: slurm. */
  on: string;
  /** The schedulers' own options; only `on`'s may be given. */
  schedulerOptions?: SchedulerOptions;
  /** A search (`--sweep FILE`) instead of the plan's points: `run.jobs` workers ask the study for trials. */
  sweep?: SweepFileRequest;
  /**
   * A remote the nodes clone from and push to, for a cluster that does not share this
   * repository: HEAD must be on it; uncommitted changes to tracked files travel with the job.
   */
  push?: string;
  /** Wait for the job to end and summarise its trials as a local sweep. */
  wait?: boolean;
  /** Told once the job is submitted, before waiting. */
  onSubmitted?: (sub: Submission) => void;
  /** With `wait`: once per change of what the job does (pending for a reason, n running, n done). */
  onState?: (text: string) => void;
}

export interface RunOnResult {
  submission: Submission;
  /** A search's workers (array tasks). */
  workers?: number;
  /** With `wait`: the study's trials, as a local sweep's summary. */
  summary?: RunSummary;
}

/**
 * `git exp run --on slurm`: the planned points handed to a scheduler as one job of one worker
 * per point (or, for a search, `-j N` workers asking the study for trials). Everything that can
 * be refused is refused before anything is submitted.
 */
export async function runOn(ws: Workspace, req: RunOnRequest): Promise<RunOnResult> {
  const store = await ws.store();
  const plan = await planOf(ws, req.run);
  const executor = executorNamed(req.on);
  const given = req.schedulerOptions ?? {};
  const other = Object.keys(given).find((k) => k !== executor.name && given[k] !== undefined);
  if (other) throw new UsageError(`--${other} goes with --on ${other}, not --on ${req.on}`);
  const extra = given[executor.name];
  let search: SearchSubmission | undefined;
  if (req.sweep) {
    // --grid is refused beside --sweep before the plan's points are looked at
    if (plan.request.gridFile === undefined) checkSweepBase(plan);
    const study = await readSweepFile(ws, req.sweep, plan.request.gridFile);
    search = { ...study, workers: Math.min(plan.jobs, study.size) };
  }
  const rules = await loadRulesFile(store.repo);
  const submission = await submitPlan(store, plan, {
    executor,
    args: extra === undefined ? [] : splitShellWords(extra, `--${executor.name}`),
    defaults: executor.defaults(rules?.[executor.name as "slurm"], RULES_FILE),
    // -j says how many at once; without it the scheduler decides.
    atOnce: req.run.jobs,
    search,
    push: req.push,
    onWarning: (t) => ws.warn(t),
  });
  req.onSubmitted?.(submission);
  if (!req.wait) return { submission, workers: search?.workers };
  const summary = await waitForStudy(store, submission, executor, ws.env, {
    onState: req.onState,
    pull: async (url) => {
      const got = await pull(ws, { remote: url });
      req.onState?.(`pulled ${got.added.length} experiment(s) from ${url}${got.rejected.length ? `; ${got.rejected.length} rejected (see git exp pull)` : ""}`);
    },
  });
  return { submission, workers: search?.workers, summary };
}

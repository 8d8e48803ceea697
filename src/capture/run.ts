import type { ExperimentStore } from "../store/experiment-store.js";
import { unreproducibleFiles, unreproducibleWarnings } from "./command-files.js";
import type { RunPlan } from "./run-plan.js";
import { runPoint } from "./run-point.js";
import { RunController, startRun, type RunHooks, type RunOutcome, type RunSession } from "./run-session.js";
import { copyWorkTree, inPlace, pathInPoint, type WorkFolder } from "./working-copy.js";

export { runPoint } from "./run-point.js";
export { RunController, TrialController, preflight, startRun, type Interruption, type PointProgress, type RunHooks, type RunOutcome, type RunSession } from "./run-session.js";
export { copyWorkTree, inPlace, type WorkFolder } from "./working-copy.js";

/** What the whole run or sweep did. */
export interface RunSummary {
  outcomes: RunOutcome[];
  /** Points never started: a fail-fast stop or an interruption. */
  notRun: number;
  /** git-exp's exit code: the child's for one run; for a sweep the first failure's, else 0. */
  exitCode: number;
}

/**
 * Run a planned command (one point, or every point of a sweep `jobs` at a time) and record
 * an experiment for each run that started. A failed point does not stop the sweep unless
 * `failFast`; an interruption stops launching and records the runs it cut short. With
 * more than one point at a time, each point runs in its own copy of the work tree.
 */
export async function runPlan(
  store: ExperimentStore,
  plan: RunPlan,
  hooks: RunHooks = {},
  controller = new RunController(),
): Promise<RunSummary> {
  const session = await startRun(store, plan, hooks, controller);
  await warnUnreproducible(session);
  const total = plan.points.length;
  const outcomes: RunOutcome[] = [];
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && next < total && !controller.interrupted) {
      const index = next++;
      const outcome = await runInFolder(session, index);
      outcomes.push(outcome);
      hooks.onPointEnd?.(outcome, outcomes.length, total);
      if (outcome.status !== "completed" && plan.request.failFast) stop = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.jobs, total) }, worker));
  outcomes.sort((a, b) => a.index - b.index);
  const failed = outcomes.find((o) => o.exitCode !== 0);
  const exitCode = total === 1 && outcomes[0] ? outcomes[0].exitCode : failed ? failed.exitCode : controller.interrupted ? 130 : 0;
  return { outcomes, notRun: total - outcomes.length, exitCode };
}

/**
 * Points that run one at a time run in place; parallel ones each in a copy removed afterwards:
 * the points of a `-j N` sweep, and the trials of a `-j N` search (each a plan of one point,
 * N of them at once).
 */
async function runInFolder(s: RunSession, index: number): Promise<RunOutcome> {
  const r = s.plan.request;
  const workTree = s.store.repo.workTree;
  const alone = s.plan.jobs === 1 || (s.plan.points.length === 1 && !s.plan.trial);
  if (alone || workTree === null) return runPoint(s, index, inPlace(workTree, r.cwd));
  const own = [r.resultsFile, ...(r.outputs ?? []), ...(r.storeOutputs ?? [])]
    .filter((p): p is string => p !== undefined)
    .map((p) => pathInPoint(inPlace(workTree, r.cwd), workTree, r.cwd, p));
  const copy = await copyWorkTree(s.store.repo, workTree, r.cwd, own);
  try {
    const work: WorkFolder = { top: copy.top, cwd: copy.cwd };
    return await runPoint(s, index, work);
  } finally {
    await copy.remove();
  }
}

/** Files the command names that the commit will not hold: a rerun from it cannot find them. */
async function warnUnreproducible(s: RunSession): Promise<void> {
  const r = s.plan.request;
  const found = await unreproducibleFiles(s.plan.argv, r.cwd, s.store.repo, r.environ, r.inputs);
  for (const w of unreproducibleWarnings(found)) s.hooks.onWarning?.(w);
}

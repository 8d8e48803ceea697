import { planRun, type RunPlan, type RunRequest } from "../capture/run-plan.js";
import { runPlan, RunController, type RunHooks, type RunOutcome, type RunSummary } from "../capture/run.js";
import type { Workspace } from "./workspace.js";

export { RunController, type RunHooks, type RunOutcome, type RunPlan, type RunRequest, type RunSummary };

/** `git exp run`, first half: the plan (the command, its configs: one point, a grid or seeds), checked before anything runs. */
export function plan(ws: Workspace, req: Omit<RunRequest, "cwd" | "environ">): Promise<RunPlan> {
  return planRun({ ...req, cwd: ws.cwd, environ: ws.env });
}

/**
 * `git exp run`: run a plan's commands (`jobs` at a time), capture each run and record it as
 * an experiment by the one run engine. `controller` passes Ctrl-C on; `hooks` see output and progress.
 */
export async function run(ws: Workspace, p: RunPlan, hooks: RunHooks = {}, controller = new RunController()): Promise<RunSummary> {
  return runPlan(await ws.store(), p, hooks, controller);
}

import { UsageError } from "../core/errors.js";
import { checkTolerance, type Tolerance } from "../analysis/diff.js";
import { judgeRepro } from "../analysis/repro.js";
import type { ReproVerdict } from "../core/repro-results.js";
import { rerun, type RerunResult } from "../capture/rerun.js";
import { foreignCommand, type ForeignCommand } from "../capture/repro-trust.js";
import type { RunController, RunHooks } from "../capture/run-session.js";
import type { Workspace } from "./workspace.js";
import { shortId } from "../core/ids.js";

export type { ForeignCommand, ReproVerdict, RerunResult };

export interface ReproRequest extends Tolerance {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
  /** Rerun even when recorded inputs are missing or changed. */
  allowChangedInputs?: boolean;
  /**
   * Asked before a command this clone did not record runs (someone else's command): resolve
   * to run it, reject (a UsageError) not to. Absent, such a command is refused.
   */
  confirm?: (foreign: ForeignCommand) => Promise<void>;
  /** Told the full id once it is known, before the rerun starts. */
  onStart?: (id: string) => void;
  /** The command's output and warnings, as run reports them. */
  hooks?: RunHooks;
  /** Pass Ctrl-C to the command: the rerun is then not recorded. */
  controller?: RunController;
}

export interface ReproResult {
  verdict: ReproVerdict;
  rerun: RerunResult;
}

/** `git exp repro`: rerun an experiment exactly as recorded, in a temporary worktree, and judge whether its results reproduce. */
export async function repro(ws: Workspace, req: ReproRequest): Promise<ReproResult> {
  const tol: Tolerance = { atol: req.atol, rtol: req.rtol };
  checkTolerance(tol);
  const store = await ws.store();
  const id = await store.resolve(req.experiment);
  const foreign = await foreignCommand(store, id, await store.read(id));
  if (foreign) {
    if (!req.confirm) throw new UsageError(`experiment ${shortId(foreign.id)} was not recorded in this clone (${foreign.why}): confirm its command to run it`);
    await req.confirm(foreign);
  }
  req.onStart?.(id);
  const r = await rerun(store, id, { allowChangedInputs: req.allowChangedInputs, environ: ws.env, controller: req.controller, hooks: req.hooks });
  const verdict = await judgeRepro(store, { id, experiment: r.original }, { id: r.id, experiment: r.experiment }, tol, { missingFiles: r.missingFiles, logTail: r.outcome.logTail });
  return { verdict, rerun: r };
}

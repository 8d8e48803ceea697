import { applyExperiment, type ApplyOutcome } from "../capture/apply.js";
import type { Workspace } from "./workspace.js";

export type { ApplyOutcome };

export interface ApplyRequest {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
  /** Apply even though the work tree has uncommitted changes. */
  force?: boolean;
}

/** `git exp apply`: the experiment's code (source commit, patch, config file) put into the work tree; HEAD and the index stay. */
export async function apply(ws: Workspace, req: ApplyRequest): Promise<ApplyOutcome> {
  return applyExperiment(await ws.store(), req.experiment, { force: req.force ?? false });
}

import { branchExperiment, type BranchOutcome } from "../capture/apply.js";
import type { Workspace } from "./workspace.js";

export type { BranchOutcome };

export interface BranchRequest {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
  /** The new branch. */
  name: string;
}

/** `git exp branch`: a new branch at the experiment's source commit, plus a commit of its uncommitted changes and config. */
export async function branch(ws: Workspace, req: BranchRequest): Promise<BranchOutcome> {
  return branchExperiment(await ws.store(), req.experiment, req.name);
}

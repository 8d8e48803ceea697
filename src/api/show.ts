import { showExperiment, type ExperimentDetails } from "../analysis/listing.js";
import type { Workspace } from "./workspace.js";

export type { ExperimentDetails };

export interface ShowRequest {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
  /** Also find experiments deleted with `rm`. */
  includeDeleted?: boolean;
}

/** `git exp show`: everything about one experiment, read from git (no index). */
export async function show(ws: Workspace, req: ShowRequest): Promise<ExperimentDetails> {
  return showExperiment(await ws.store(), req.experiment, { includeDeleted: req.includeDeleted });
}

import { listArtifacts, type ArtifactListing, type StoredFile } from "../analysis/artifacts.js";
import type { Workspace } from "./workspace.js";

export type { ArtifactListing, StoredFile };

export interface ArtifactsRequest {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
}

/** `git exp artifacts`: the files an experiment keeps (artifacts/ and media/) and the outputs recorded by checksum only. */
export async function artifacts(ws: Workspace, req: ArtifactsRequest): Promise<ArtifactListing> {
  return listArtifacts(await ws.store(), req.experiment);
}

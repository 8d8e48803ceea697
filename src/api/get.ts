import { getArtifact, type StoredFile } from "../analysis/artifacts.js";
import type { Workspace } from "./workspace.js";

export interface GetRequest {
  /** An id prefix (4+ hex), a unique name or a full ref. */
  experiment: string;
  /** As `artifacts` lists it (`artifacts/model.pt`, `media/samples/3.png`) or the output path it was recorded under (`model.pt`). */
  path: string;
}

export interface GotFile {
  id: string;
  file: StoredFile;
  data: Uint8Array;
}

/** `git exp get`: one file an experiment keeps, its bytes checked against the recorded checksum (a mismatch is refused). */
export async function get(ws: Workspace, req: GetRequest): Promise<GotFile> {
  return getArtifact(await ws.store(), req.experiment, req.path);
}

import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

export interface RmRequest {
  experiments: string[];
  /** Also delete the refs here (git gc then prunes the objects); restore cannot bring them back. */
  purge?: boolean;
}

/** `git exp rm`: a delete event per experiment, which travels with push and pull. */
export async function rm(ws: Workspace, req: RmRequest): Promise<AnnotateResult[]> {
  const results = await annotate(ws, { experiments: req.experiments, changes: [{ op: "delete" }], includeDeleted: req.purge });
  if (req.purge) await (await ws.store()).remove(results.map((r) => r.id));
  return results;
}

import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

/** `git exp restore`: bring back experiments deleted with rm (not after --purge). */
export function restore(ws: Workspace, experiments: string[]): Promise<AnnotateResult[]> {
  return annotate(ws, { experiments, changes: [{ op: "restore" }], includeDeleted: true });
}

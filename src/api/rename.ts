import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

/** `git exp rename`: give an experiment a new name (its id does not change). */
export function rename(ws: Workspace, experiment: string, name: string): Promise<AnnotateResult[]> {
  return annotate(ws, { experiments: [experiment], changes: [{ op: "rename", name }] });
}

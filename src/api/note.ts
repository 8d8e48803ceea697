import { checkUtf8Text } from "../core/experiment.js";
import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

/** `git exp note`: add a note to an experiment (notes accumulate). */
export function note(ws: Workspace, experiment: string, text: string): Promise<AnnotateResult[]> {
  checkUtf8Text(text, "note");
  return annotate(ws, { experiments: [experiment], changes: [{ op: "note", text }] });
}

import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

/** `git exp tag`: add tags to an experiment (events that travel with push and pull). */
export function tag(ws: Workspace, experiment: string, tags: string[]): Promise<AnnotateResult[]> {
  return annotate(ws, { experiments: [experiment], changes: tags.map((t) => ({ op: "tag", tag: t })) });
}

/** `git exp untag`: remove tags from an experiment. */
export function untag(ws: Workspace, experiment: string, tags: string[]): Promise<AnnotateResult[]> {
  return annotate(ws, { experiments: [experiment], changes: tags.map((t) => ({ op: "untag", tag: t })) });
}

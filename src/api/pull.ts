import { pull as pullRefs, type PullOptions, type PullSummary } from "../store/pull.js";
import type { Workspace } from "./workspace.js";

export type { PullSummary };
export type PullRequest = PullOptions;

/** `git exp pull`: fetch experiments and annotations from a git remote, check each, add the good ones (summary.rejected: the others). */
export async function pull(ws: Workspace, req: PullRequest = {}): Promise<PullSummary> {
  return pullRefs(await ws.repo(), req);
}

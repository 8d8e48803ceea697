import type { AnnotationChange } from "../core/annotations.js";
import { parseGitDate } from "../core/time.js";
import { annotate as writeEvents, type AnnotateResult } from "../store/annotations.js";
import { gitIdentity } from "../store/identity.js";
import type { Workspace } from "./workspace.js";

export type { AnnotateResult, AnnotationChange };

export interface AnnotateRequest {
  /** Each an id prefix (4+ hex), a unique name or a full ref. */
  experiments: string[];
  changes: AnnotationChange[];
  /** Also find experiments deleted with rm (restore, rm --purge). */
  includeDeleted?: boolean;
}

/**
 * The shared body of tag/untag/note/rename/rm/restore: resolve every experiment first (one
 * bad name writes nothing), then write each one's events (git notes, by the git identity,
 * at GIT_AUTHOR_DATE when set as git commit does, else the workspace's clock) and return
 * the new state of each.
 */
export async function annotate(ws: Workspace, req: AnnotateRequest): Promise<AnnotateResult[]> {
  const store = await ws.store();
  const ids = await store.resolveAll(req.experiments, { includeDeleted: req.includeDeleted });
  const by = await gitIdentity(store.repo);
  const fixed = ws.env["GIT_AUTHOR_DATE"];
  const nowMs = fixed ? parseGitDate(fixed) : ws.now();
  const results: AnnotateResult[] = [];
  for (const id of [...new Set(ids)]) results.push(await writeEvents(store, id, req.changes, { by, nowMs }));
  return results;
}

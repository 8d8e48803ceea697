import type { AnnotationChange } from "../core/annotations.js";
import { parseGitDate } from "../core/time.js";
import { annotate, type AnnotateResult } from "../store/annotations.js";
import { gitIdentity } from "../store/identity.js";
import { renderJson } from "../report/format.js";
import { renderAnnotateResult } from "../report/annotations.js";
import type { Context } from "./context.js";

/**
 * The shared body of tag/untag/note/rename/rm/restore: resolve every experiment first (one
 * bad name writes nothing), then write each one's events and print the new state.
 */
export async function runAnnotate(
  ctx: Context,
  specs: string[],
  changes: AnnotationChange[],
  options: { json: boolean; includeDeleted?: boolean; after?: (ids: string[]) => Promise<void> },
): Promise<AnnotateResult[]> {
  const store = await ctx.store();
  const ids = await store.resolveAll(specs, { includeDeleted: options.includeDeleted });
  const by = await gitIdentity(store.repo);
  const fixed = ctx.io.env["GIT_AUTHOR_DATE"];
  const nowMs = fixed ? parseGitDate(fixed) : Date.now();
  const results: AnnotateResult[] = [];
  for (const id of [...new Set(ids)]) results.push(await annotate(store, id, changes, { by, nowMs }));
  await options.after?.(results.map((r) => r.id));
  if (options.json) ctx.io.stdout(renderJson(results.map((r) => ({ id: r.id, changed: r.written.length > 0, ...r.state }))));
  else for (const r of results) ctx.io.stdout(renderAnnotateResult(r));
  return results;
}

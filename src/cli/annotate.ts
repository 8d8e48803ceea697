import type { AnnotateResult } from "../api/annotate.js";
import { renderJson } from "../report/format.js";
import { renderAnnotateResult } from "../report/annotations.js";
import type { Context } from "./context.js";

/** What tag/untag/note/rename/rm/restore print: each experiment's new state. */
export function printAnnotated(ctx: Context, results: AnnotateResult[], json: boolean): number {
  if (json) ctx.io.stdout(renderJson(results.map((r) => ({ id: r.id, changed: r.written.length > 0, ...r.state }))));
  else for (const r of results) ctx.io.stdout(renderAnnotateResult(r));
  return 0;
}

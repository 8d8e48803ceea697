import type { ExperimentIndex, IndexOptions } from "../index/experiment-index.js";
import type { IndexDatabase } from "../index/database.js";
import type { SyncReport } from "../index/sync.js";
import type { Selection } from "../index/selection.js";
import type { Context } from "./context.js";

/**
 * Open the index for a command through its workspace, loading DuckDB only now (its native
 * binding costs ~190 ms at start, which commands that never query must not pay).
 */
export async function openIndex(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<{ index: ExperimentIndex; db: IndexDatabase }> {
  const db = await ctx.ws.db(options);
  return { index: await ctx.ws.index(options), db };
}

export function indexOf(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<ExperimentIndex> {
  return ctx.ws.index(options);
}

export function indexOptions(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<IndexOptions> {
  return ctx.ws.indexOptions(options);
}

export function reportSync(ctx: Context, report: SyncReport): void {
  ctx.ws.reportSync(report);
}

/** The ids a --where filter (and the other selection options) picks, through the index. */
export async function idsWhere(ctx: Context, selection: Selection): Promise<string[]> {
  const { idsMatching } = await import("../analysis/search.js");
  return idsMatching(await ctx.ws.db(), selection);
}

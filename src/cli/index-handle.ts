import type { ExperimentIndex, IndexOptions } from "../index/experiment-index.js";
import type { IndexDatabase } from "../index/database.js";
import type { SyncReport } from "../index/sync.js";
import type { Selection } from "../index/selection.js";
import { Progress } from "../report/progress.js";
import type { Context } from "./context.js";

/**
 * Open the index for a command, loading DuckDB only now (its native binding costs ~190 ms
 * at start, which commands that never query must not pay). Sync warnings go to stderr.
 */
export async function openIndex(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<{ index: ExperimentIndex; db: IndexDatabase }> {
  const index = await indexOf(ctx, options);
  const db = await index.open();
  if (index.lastSync) reportSync(ctx, index.lastSync);
  return { index, db };
}

export async function indexOf(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<ExperimentIndex> {
  // git finds the repository while DuckDB's binding loads (~50 ms each, side by side).
  const repo = ctx.repo();
  repo.catch(() => undefined);
  const { ExperimentIndex } = await import("../index/experiment-index.js");
  const index = new ExperimentIndex(await repo, await indexOptions(ctx, options));
  ctx.onClose(() => index.close());
  return index;
}

/** Lock timeout from the environment, notes and progress on stderr. */
export async function indexOptions(ctx: Context, options: { allowFiles?: boolean } = {}): Promise<IndexOptions> {
  const { defaultTimeoutMs } = await import("../index/experiment-index.js");
  const progress = new Progress(ctx.io.stderr, ctx.io.stderrIsTTY, "indexing experiments");
  return {
    timeoutMs: defaultTimeoutMs(ctx.io.env),
    onNote: (m) => ctx.io.stderr(`note: ${m}\n`),
    onProgress: (done, total) => {
      progress.update(done, total);
      if (done === total) progress.finish();
    },
    allowFiles: options.allowFiles,
  };
}

export function reportSync(ctx: Context, report: SyncReport): void {
  for (const s of report.skipped) ctx.io.stderr(`warning: experiment ${s.id.slice(0, 12)} left out of the index: ${s.reason}\n`);
  for (const ref of report.corruptRefs) ctx.io.stderr(`warning: ${ref} does not name its target: corrupt ref, ignored\n`);
}

/** The ids a --where filter (and the other selection options) picks, through the index. */
export async function idsWhere(ctx: Context, selection: Selection): Promise<string[]> {
  const { idsMatching } = await import("../analysis/search.js");
  const { db } = await openIndex(ctx);
  return idsMatching(db, selection);
}

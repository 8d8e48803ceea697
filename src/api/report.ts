import { NotFoundError } from "../core/errors.js";
import { entriesFromIndex } from "../analysis/index-entries.js";
import { overview, type OverviewOptions } from "../analysis/overview.js";
import type { Overview } from "../core/overview-results.js";
import { repeatKeysOf } from "../capture/rules-file.js";
import type { Workspace } from "./workspace.js";

export type { Overview };

export interface ReportRequest extends OverviewOptions {
  /** Report on the experiments matching a filter (the language of ls --where). */
  where?: string;
}

/** `git exp report`: what a report shows (leaderboard, varying params, curves, trend, the best run's system metrics and media), to render as HTML or Markdown. */
export async function report(ws: Workspace, req: ReportRequest): Promise<Overview> {
  const { where, ...options } = req;
  const store = await ws.store();
  const repeatKeys = await repeatKeysOf(store.repo);
  const entries = await ws.query((db) => entriesFromIndex(db, { where }, repeatKeys));
  if (entries.length === 0 && where !== undefined) throw new NotFoundError("no experiment matches the filter: nothing to report");
  return overview(store, entries, options);
}

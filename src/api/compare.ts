import { UsageError } from "../core/errors.js";
import { compareIds, compareSpecs, type CompareOptions } from "../analysis/compare.js";
import type { Comparison } from "../core/compare-results.js";
import type { Workspace } from "./workspace.js";

export type { Comparison };

export interface CompareRequest extends CompareOptions {
  /** Id prefixes (4+ hex), names or refs; or `where` instead. */
  experiments?: string[];
  /** A filter (as ls --where): compare the experiments it picks, newest first. */
  where?: string;
  /** With `where`: at most this many (default 20). */
  limit?: number;
}

/** `git exp compare`: experiments side by side, the params and metrics that differ, best value marked. */
export async function compare(ws: Workspace, req: CompareRequest): Promise<Comparison> {
  const specs = req.experiments ?? [];
  const { where } = req;
  if (specs.length > 0 && where !== undefined) throw new UsageError("give experiments to compare, or --where EXPR, not both");
  if (specs.length === 0 && where === undefined) throw new UsageError("give the experiments to compare (ids, prefixes or names), or --where EXPR");
  const options: CompareOptions = { all: req.all, minimize: req.minimize, maximize: req.maximize };
  const store = await ws.store();
  if (where === undefined) return compareSpecs(store, specs, options);
  // loaded only for a filter: DuckDB's binding costs ~190 ms, which naming experiments must not pay
  const { idsMatching } = await import("../index/queries.js");
  const ids = (await ws.query((db) => idsMatching(db, { where }))).slice(0, req.limit ?? 20);
  if (ids.length === 0) throw new UsageError(`no experiment matches --where ${where}`);
  return compareIds(store, ids, options);
}

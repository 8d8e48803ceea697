import { UsageError } from "../core/errors.js";
import type { Direction } from "../core/choices.js";
import { BUCKETS, trendAlong, trendOverTime, type Bucket } from "../analysis/trend.js";
import type { Trend } from "../core/trend-results.js";
import type { Selection } from "../index/selection.js";
import type { Workspace } from "./workspace.js";

export { BUCKETS, type Bucket, type Trend };

export interface TrendRequest extends Selection {
  metric: string;
  direction?: Direction;
  /** Time buckets (UTC, default day). */
  every?: Bucket;
  /** A branch (or any revision): the best experiment per commit of its first-parent history instead of time buckets. */
  along?: string;
}

/** `git exp trend`: how a metric moved, over time or commit by commit along a branch. */
export async function trend(ws: Workspace, req: TrendRequest): Promise<Trend> {
  const { along, ...options } = req;
  if (along !== undefined && req.every !== undefined) throw new UsageError("--along walks commits, --every buckets time: give one or the other");
  if (req.every !== undefined && !BUCKETS.includes(req.every)) throw new UsageError(`bucket by one of ${BUCKETS.join(", ")}, not ${String(req.every)}`);
  if (along === undefined) return ws.query((db) => trendOverTime(db, options));
  // git is asked before the index is, so a long-lived workspace holds its index no longer than the query
  const history = await (await ws.store()).history.branchHistory(along);
  return ws.query((db) => trendAlong(db, options, along, history));
}

import { UsageError } from "../core/errors.js";
import type { IndexDatabase } from "../index/database.js";
import { metricByBucket, metricByCommit, type MetricSummary } from "../index/queries.js";
import type { Selection } from "../index/selection.js";
import type { HistoryCommit } from "../store/history.js";
import type { Direction } from "../core/choices.js";
import { metricQuery } from "./leaderboard.js";

import { BUCKETS, type Bucket } from "../core/choices.js";
import type { TrendPoint, Trend } from "../core/trend-results.js";

export { BUCKETS, type Bucket };

export interface TrendOptions extends Selection {
  metric: string;
  every?: Bucket;
  direction?: Direction;
}

function point(s: MetricSummary, direction: Direction, at: string): TrendPoint {
  return { at, count: s.count, min: s.min, mean: s.mean, max: s.max, best: direction === "max" ? s.max : s.min, best_id: s.best_id, best_name: s.best_name };
}

/** `git exp trend METRIC --every week`: per time bucket (UTC) count, min, mean, max, best. */
export async function trendOverTime(db: IndexDatabase, options: TrendOptions): Promise<Trend> {
  const every = options.every ?? "day";
  if (!BUCKETS.includes(every)) throw new UsageError(`--every ${String(every)}: use one of ${BUCKETS.join(", ")}`);
  const q = await metricQuery(db, options);
  const rows = await metricByBucket(db, q, every);
  return {
    metric: q.metric,
    direction: q.direction,
    guessed: options.direction === undefined,
    every,
    along: null,
    points: rows.map((r) => point(r, q.direction, r.bucket)),
  };
}

/**
 * `git exp trend METRIC --along main`: per commit of the branch's first-parent history,
 * oldest first, the experiments run on that commit: how the metric moved as the code changed.
 */
export async function trendAlong(db: IndexDatabase, options: TrendOptions, branch: string, history: HistoryCommit[]): Promise<Trend> {
  const q = await metricQuery(db, options);
  const { metric, direction } = q;
  if (history.length === 0) return { metric, direction, guessed: options.direction === undefined, every: null, along: branch, points: [] };
  const byCommit = await metricByCommit(db, q, history.map((h) => h.commit));
  const points: TrendPoint[] = [];
  for (const h of history) {
    const r = byCommit.get(h.commit);
    // One spelling of times in every trend: UTC ISO 8601, as the buckets are.
    const at = Number.isNaN(Date.parse(h.date)) ? h.date : new Date(Date.parse(h.date)).toISOString();
    if (r) points.push({ ...point(r, direction, at), commit: h.commit, subject: h.subject });
  }
  return { metric, direction, guessed: options.direction === undefined, every: null, along: branch, points };
}

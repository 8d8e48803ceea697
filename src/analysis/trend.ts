import { listValue } from "../index/duckdb.js";
import { UsageError } from "../core/errors.js";
import { Catalog } from "../index/catalog.js";
import type { IndexDatabase, SqlRow } from "../index/database.js";
import { E, SqlBuilder } from "../index/filter-sql.js";
import { compileSelection, type Selection } from "../index/selection.js";
import type { HistoryCommit } from "../store/history.js";
import { checkDirection, type Direction } from "../core/choices.js";
import { guessDirection, metricKey } from "./leaderboard.js";
import { toNumber } from "./search.js";

import { BUCKETS, type Bucket } from "../core/choices.js";
import type { TrendPoint, Trend } from "../core/trend-results.js";

export { BUCKETS, type Bucket };

export interface TrendOptions extends Selection {
  metric: string;
  every?: Bucket;
  direction?: Direction;
}

function aggregates(direction: Direction): string {
  const order = `m.value ${direction === "max" ? "DESC" : "ASC"}, ${E}.created_at, ${E}.id`;
  return `count(*) AS n, min(m.value) AS lo, avg(m.value) AS mean, max(m.value) AS hi,
    first(${E}.id ORDER BY ${order}) AS best_id, first(${E}.name ORDER BY ${order}) AS best_name`;
}

function point(r: SqlRow, direction: Direction, at: string): TrendPoint {
  const min = toNumber(r["lo"])!;
  const max = toNumber(r["hi"])!;
  return {
    at,
    count: Number(r["n"]),
    min,
    mean: toNumber(r["mean"])!,
    max,
    best: direction === "max" ? max : min,
    best_id: String(r["best_id"]),
    best_name: r["best_name"] as string | null,
  };
}

async function prepare(db: IndexDatabase, options: TrendOptions) {
  const metric = metricKey(options.metric);
  const catalog = await Catalog.load(db);
  catalog.requireMetric(metric);
  const direction = checkDirection(options.direction) ?? guessDirection(metric);
  const sql = new SqlBuilder();
  const key = sql.param(metric);
  const selection = compileSelection(options, catalog, sql);
  const from = `FROM metrics m JOIN experiments ${E} ON ${E}.id = m.id
    WHERE m.key = ${key} AND m.value IS NOT NULL AND NOT isnan(m.value) AND ${selection.condition}`;
  return { metric, direction, sql, from };
}

/** `git exp trend METRIC --every week`: per time bucket (UTC) count, min, mean, max, best. */
export async function trendOverTime(db: IndexDatabase, options: TrendOptions): Promise<Trend> {
  const every = options.every ?? "day";
  if (!BUCKETS.includes(every)) throw new UsageError(`--every ${String(every)}: use one of ${BUCKETS.join(", ")}`);
  const { metric, direction, sql, from } = await prepare(db, options);
  // `every` is one of three fixed words, checked above: safe to place in the SQL.
  const rows = await db.rows(`SELECT date_trunc('${every}', ${E}.created_at) AS bucket, ${aggregates(direction)} ${from} GROUP BY bucket ORDER BY bucket`, sql.values);
  return {
    metric,
    direction,
    guessed: options.direction === undefined,
    every,
    along: null,
    points: rows.map((r) => point(r, direction, String(r["bucket"]))),
  };
}

/**
 * `git exp trend METRIC --along main`: per commit of the branch's first-parent history,
 * oldest first, the experiments run on that commit: how the metric moved as the code changed.
 */
export async function trendAlong(db: IndexDatabase, options: TrendOptions, branch: string, history: HistoryCommit[]): Promise<Trend> {
  const { metric, direction, sql, from } = await prepare(db, options);
  if (history.length === 0) return { metric, direction, guessed: options.direction === undefined, every: null, along: branch, points: [] };
  const commits = sql.param(listValue(history.map((h) => h.commit)));
  const rows = await db.rows(
    `SELECT ${E}.source_commit AS commit, ${aggregates(direction)} ${from} AND ${E}.source_commit IN (SELECT unnest(${commits}::VARCHAR[]))
     GROUP BY ${E}.source_commit`,
    sql.values,
  );
  const byCommit = new Map(rows.map((r) => [String(r["commit"]), r]));
  const points: TrendPoint[] = [];
  for (const h of history) {
    const r = byCommit.get(h.commit);
    // One spelling of times in every trend: UTC ISO 8601, as the buckets are.
    const at = Number.isNaN(Date.parse(h.date)) ? h.date : new Date(Date.parse(h.date)).toISOString();
    if (r) points.push({ ...point(r, direction, at), commit: h.commit, subject: h.subject });
  }
  return { metric, direction, guessed: options.direction === undefined, every: null, along: branch, points };
}

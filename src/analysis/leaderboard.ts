import { listValue } from "../index/duckdb.js";
import { UsageError } from "../core/errors.js";
import { DEFAULT_REPEAT_KEYS, isRepeatKey } from "../core/rules.js";
import { EMPTY_GROUP_KEY, groupKeySql } from "../index/repeat-groups.js";
import { Catalog } from "../index/catalog.js";
import type { IndexDatabase, SqlRow } from "../index/database.js";
import { E, SqlBuilder } from "../index/filter-sql.js";
import { compileSelection, type Selection } from "../index/selection.js";
import { paramValue, toNumber } from "./search.js";

import { checkDirection, directionOf, type Direction, type Grouping } from "../core/choices.js";
import { metricDirection } from "./metric-direction.js";
import type { TopRow, TopGroup, Leaderboard } from "../core/top-results.js";

/** Which way is better when the user did not say: losses and errors go down, the rest up. */
export function guessDirection(metric: string): Direction {
  return directionOf(metricDirection(metric));
}

/** `val.acc` or `metrics.val.acc`: the metric's key in the index. */
export function metricKey(metric: string): string {
  const m = metric.trim();
  if (m === "") throw new UsageError("name a metric, such as val.acc");
  return m.startsWith("metrics.") ? m.slice(8) : m;
}

export interface TopOptions extends Selection {
  metric: string;
  direction?: Direction;
  by?: Grouping;
  limit?: number;
  /** With --by config: the keys that tell repeats apart (gitexp.json repeat_keys; default seed). */
  repeatKeys?: readonly string[];
}

const GROUP_COLUMN: Record<Grouping, string> = {
  // Repeats: configs equal but for the repeat keys (index/repeat-groups.ts)
  config: `coalesce(g.group_key, '${EMPTY_GROUP_KEY}')`,
  // An unnamed run is no repeat of another unnamed run: each stands alone, under its id.
  name: `coalesce(${E}.name, ${E}.id)`,
  branch: `${E}.branch`,
  commit: `${E}.source_commit`,
};

/**
 * `git exp top`: the best experiments by one metric. NaN and missing values never rank;
 * ties go to the earlier experiment, then the smaller id, so the order is stable.
 */
export async function leaderboard(db: IndexDatabase, options: TopOptions): Promise<Leaderboard> {
  const metric = metricKey(options.metric);
  const catalog = await Catalog.load(db);
  catalog.requireMetric(metric);
  const direction = checkDirection(options.direction) ?? guessDirection(metric);
  const sql = new SqlBuilder();
  const key = sql.param(metric);
  const selection = compileSelection(options, catalog, sql);
  const dir = direction === "max" ? "DESC" : "ASC";
  const repeatKeys = options.repeatKeys ?? DEFAULT_REPEAT_KEYS;
  const groupJoin = options.by === "config" ? `LEFT JOIN ${groupKeySql(repeatKeys, (v) => sql.param(v))} g ON g.id = ${E}.id` : "";
  const from = `FROM metrics m JOIN experiments ${E} ON ${E}.id = m.id ${groupJoin}
    WHERE m.key = ${key} AND m.value IS NOT NULL AND NOT isnan(m.value) AND ${selection.condition}`;
  const limit = sql.param(options.limit ?? 10);
  const base: Leaderboard = { metric, direction, guessed: options.direction === undefined, by: options.by ?? null, rows: [], groups: [] };
  if (!options.by) {
    const rows = await db.rows(
      `SELECT ${E}.id, ${E}.name, m.value, ${E}.created_at, ${E}.branch, ${E}.source_commit, ${E}.config_hash ${from}
       ORDER BY m.value ${dir}, ${E}.created_at, ${E}.id LIMIT ${limit}`,
      sql.values,
    );
    return { ...base, rows: rows.map((r, i) => topRow(r, i)) };
  }
  const order = `m.value ${dir}, ${E}.created_at, ${E}.id`;
  const rows = await db.rows(
    `SELECT ${GROUP_COLUMN[options.by]} AS grp, count(*) AS n, avg(m.value) AS mean,
       -- No spread for a group with an infinite (or astronomically large) run: DuckDB's stddev
       -- raises where its squares overflow, so it only ever sees values whose squares cannot.
       CASE WHEN bool_and(abs(m.value) < 1e150) THEN stddev_samp(m.value) FILTER (WHERE abs(m.value) < 1e150) END AS std,
       ${direction}(m.value) AS best, first(${E}.id ORDER BY ${order}) AS best_id, first(${E}.name ORDER BY ${order}) AS best_name,
       first(${E}.created_at ORDER BY ${order}) AS best_at
     ${from} GROUP BY grp ORDER BY best ${dir}, best_at, grp LIMIT ${limit}`,
    sql.values,
  );
  const groups = rows.map((r, i): TopGroup => ({
    rank: i + 1,
    group: r["grp"] as string | null,
    count: Number(r["n"]),
    mean: toNumber(r["mean"])!,
    std: toNumber(r["std"]),
    best: toNumber(r["best"])!,
    best_id: String(r["best_id"]),
    best_name: r["best_name"] as string | null,
  }));
  if (options.by === "config") await attachParams(db, groups, repeatKeys);
  return { ...base, groups };
}


function topRow(r: SqlRow, i: number): TopRow {
  return {
    rank: i + 1,
    id: String(r["id"]),
    name: r["name"] as string | null,
    value: toNumber(r["value"])!,
    created_at: String(r["created_at"]),
    branch: r["branch"] as string | null,
    source_commit: r["source_commit"] as string | null,
    config_hash: String(r["config_hash"]),
  };
}

/** A group's params: its best run's, without the repeat keys that vary among its runs. */
async function attachParams(db: IndexDatabase, groups: TopGroup[], repeatKeys: readonly string[]): Promise<void> {
  if (groups.length === 0) return;
  const byId = new Map(groups.map((g) => [g.best_id, g]));
  const rows = await db.rows("SELECT id, key, value, num, type FROM params WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key", [
    listValue([...byId.keys()]),
  ]);
  for (const g of groups) g.params = {};
  for (const r of rows) {
    const g = byId.get(String(r["id"]));
    if (g?.params && !isRepeatKey(String(r["key"]), repeatKeys)) g.params[String(r["key"])] = paramValue(r["value"], r["num"], String(r["type"]));
  }
}

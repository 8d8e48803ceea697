import type { Direction, Grouping } from "../core/choices.js";
import type { JsonValue } from "../core/json.js";
import type { TopGroup, TopRow } from "../core/top-results.js";
import { Catalog } from "./catalog.js";
import type { DuckDBValue } from "@duckdb/node-api";
import type { IndexDatabase, SqlRow, SqlValue } from "./database.js";
import { listValue } from "./duckdb.js";
import { E, SqlBuilder, compileSort } from "./filter-sql.js";
import { configValue, paramValue, toNumber } from "./param-values.js";
import { EMPTY_GROUP_KEY, groupKeySql } from "./repeat-groups.js";
import { compileSelection, type CompiledSelection, type Selection } from "./selection.js";

/**
 * Every question analysis asks the index, by name: one place to read what the index is
 * asked and to change a query. Each takes the index's catalog (for the selection's keys)
 * and returns values decoded from DuckDB; analysis ranks, judges and shapes them.
 */

// ---- one metric's values over a selection: leaderboard and trend

export interface MetricQuery {
  catalog: Catalog;
  metric: string;
  selection: Selection;
  direction: Direction;
}

/** The rows of one metric that rank: NaN and missing values never do. */
function metricValues(q: MetricQuery, sql: SqlBuilder, join = ""): string {
  const key = sql.param(q.metric);
  const selection = compileSelection(q.selection, q.catalog, sql);
  return `FROM metrics m JOIN experiments ${E} ON ${E}.id = m.id ${join}
    WHERE m.key = ${key} AND m.value IS NOT NULL AND NOT isnan(m.value) AND ${selection.condition}`;
}

/** Best first; ties go to the earlier experiment, then the smaller id, so the order is stable. */
function bestFirst(direction: Direction): string {
  return `m.value ${direction === "max" ? "DESC" : "ASC"}, ${E}.created_at, ${E}.id`;
}

/** A leaderboard row without its rank. */
export type RankedRun = Omit<TopRow, "rank">;

/** The best runs by a metric, at most `limit`. */
export async function bestRuns(db: IndexDatabase, q: MetricQuery, limit: number): Promise<RankedRun[]> {
  const sql = new SqlBuilder();
  const from = metricValues(q, sql);
  const rows = await db.rows(
    `SELECT ${E}.id, ${E}.name, m.value, ${E}.created_at, ${E}.branch, ${E}.source_commit, ${E}.config_hash ${from}
       ORDER BY ${bestFirst(q.direction)} LIMIT ${sql.param(limit)}`,
    sql.values,
  );
  return rows.map((r) => ({
    id: String(r["id"]),
    name: r["name"] as string | null,
    value: toNumber(r["value"])!,
    created_at: String(r["created_at"]),
    branch: r["branch"] as string | null,
    source_commit: r["source_commit"] as string | null,
    config_hash: String(r["config_hash"]),
  }));
}

/** A leaderboard group without its rank and params. */
export type RankedGroup = Omit<TopGroup, "rank" | "params">;

const GROUP_COLUMN: Record<Grouping, string> = {
  // Repeats: configs equal but for the repeat keys (index/repeat-groups.ts)
  config: `coalesce(g.group_key, '${EMPTY_GROUP_KEY}')`,
  // An unnamed run is no repeat of another unnamed run: each stands alone, under its id.
  name: `coalesce(${E}.name, ${E}.id)`,
  branch: `${E}.branch`,
  commit: `${E}.source_commit`,
};

/** The best groups of runs by a metric (by their best run), at most `limit`. */
export async function bestGroups(db: IndexDatabase, q: MetricQuery, by: Grouping, repeatKeys: readonly string[], limit: number): Promise<RankedGroup[]> {
  const sql = new SqlBuilder();
  const groupJoin = by === "config" ? `LEFT JOIN ${groupKeySql(repeatKeys, (v) => sql.param(v))} g ON g.id = ${E}.id` : "";
  const from = metricValues(q, sql, groupJoin);
  const dir = q.direction === "max" ? "DESC" : "ASC";
  const order = bestFirst(q.direction);
  const rows = await db.rows(
    `SELECT ${GROUP_COLUMN[by]} AS grp, count(*) AS n, avg(m.value) AS mean,
       -- No spread for a group with an infinite (or astronomically large) run: DuckDB's stddev
       -- raises where its squares overflow, so it only ever sees values whose squares cannot.
       CASE WHEN bool_and(abs(m.value) < 1e150) THEN stddev_samp(m.value) FILTER (WHERE abs(m.value) < 1e150) END AS std,
       ${q.direction}(m.value) AS best, first(${E}.id ORDER BY ${order}) AS best_id, first(${E}.name ORDER BY ${order}) AS best_name,
       first(${E}.created_at ORDER BY ${order}) AS best_at
     ${from} GROUP BY grp ORDER BY best ${dir}, best_at, grp LIMIT ${sql.param(limit)}`,
    sql.values,
  );
  return rows.map((r) => ({
    group: r["grp"] as string | null,
    count: Number(r["n"]),
    mean: toNumber(r["mean"])!,
    std: toNumber(r["std"]),
    best: toNumber(r["best"])!,
    best_id: String(r["best_id"]),
    best_name: r["best_name"] as string | null,
  }));
}

export interface MetricSummary {
  count: number;
  min: number;
  mean: number;
  max: number;
  best_id: string;
  best_name: string | null;
}

function summaryColumns(direction: Direction): string {
  const order = bestFirst(direction);
  return `count(*) AS n, min(m.value) AS lo, avg(m.value) AS mean, max(m.value) AS hi,
    first(${E}.id ORDER BY ${order}) AS best_id, first(${E}.name ORDER BY ${order}) AS best_name`;
}

function summary(r: SqlRow): MetricSummary {
  return {
    count: Number(r["n"]),
    min: toNumber(r["lo"])!,
    mean: toNumber(r["mean"])!,
    max: toNumber(r["hi"])!,
    best_id: String(r["best_id"]),
    best_name: r["best_name"] as string | null,
  };
}

/** A metric summed up per time bucket (UTC), oldest first. */
export async function metricByBucket(db: IndexDatabase, q: MetricQuery, every: "day" | "week" | "month"): Promise<(MetricSummary & { bucket: string })[]> {
  const sql = new SqlBuilder();
  const from = metricValues(q, sql);
  // `every` is one of three fixed words (the type says so, trend checks it): safe to place in the SQL.
  const rows = await db.rows(`SELECT date_trunc('${every}', ${E}.created_at) AS bucket, ${summaryColumns(q.direction)} ${from} GROUP BY bucket ORDER BY bucket`, sql.values);
  return rows.map((r) => ({ ...summary(r), bucket: String(r["bucket"]) }));
}

/** A metric summed up per source commit, for the commits given. */
export async function metricByCommit(db: IndexDatabase, q: MetricQuery, commits: string[]): Promise<Map<string, MetricSummary>> {
  const sql = new SqlBuilder();
  const from = metricValues(q, sql);
  const list = sql.param(listValue(commits));
  const rows = await db.rows(
    `SELECT ${E}.source_commit AS commit, ${summaryColumns(q.direction)} ${from} AND ${E}.source_commit IN (SELECT unnest(${list}::VARCHAR[]))
     GROUP BY ${E}.source_commit`,
    sql.values,
  );
  return new Map(rows.map((r) => [String(r["commit"]), summary(r)]));
}

// ---- experiments and what is known of them

/** Which experiments a detail query is about: a list of ids, or those a selection matches. */
export type Chosen = { ids: string[] } | { selection: Selection; catalog: Catalog };

function chosenCondition(chosen: Chosen, sql: SqlBuilder): string {
  if ("ids" in chosen) return `id IN (SELECT unnest(${sql.param(listValue(chosen.ids))}::VARCHAR[]))`;
  const { condition } = compileSelection(chosen.selection, chosen.catalog, sql);
  return `id IN (SELECT ${E}.id FROM experiments ${E} WHERE ${condition})`;
}

/** Tags by experiment id, each list sorted. */
export async function tagsOf(db: IndexDatabase, chosen: Chosen): Promise<Map<string, string[]>> {
  const sql = new SqlBuilder();
  const out = new Map<string, string[]>();
  for (const r of await db.rows(`SELECT id, tag FROM tags WHERE ${chosenCondition(chosen, sql)} ORDER BY tag`, sql.values)) {
    const id = String(r["id"]);
    out.set(id, [...(out.get(id) ?? []), String(r["tag"])]);
  }
  return out;
}

/** ` AND key IN (...)` when only some keys are asked for. */
function keysCondition(keys: string[] | undefined, sql: SqlBuilder): string {
  return keys === undefined ? "" : ` AND key IN (SELECT unnest(${sql.param(listValue(keys))}::VARCHAR[]))`;
}

/** Final metrics by experiment id (all, or `keys`), keys in order; NaN and infinities as numbers, null for a JSON null. */
export async function metricsOf(db: IndexDatabase, chosen: Chosen, keys?: string[]): Promise<Map<string, Record<string, number | null>>> {
  const sql = new SqlBuilder();
  const out = new Map<string, Record<string, number | null>>();
  for (const r of await db.rows(`SELECT id, key, value FROM metrics WHERE ${chosenCondition(chosen, sql)}${keysCondition(keys, sql)} ORDER BY key`, sql.values)) {
    const id = String(r["id"]);
    const m = out.get(id) ?? {};
    m[String(r["key"])] = toNumber(r["value"]);
    out.set(id, m);
  }
  return out;
}

/** Params by experiment id (all, or `keys`), keys in order, with their JSON types back. */
export async function paramsOf(db: IndexDatabase, chosen: Chosen, keys?: string[]): Promise<Map<string, Record<string, JsonValue>>> {
  const sql = new SqlBuilder();
  const out = new Map<string, Record<string, JsonValue>>();
  for (const r of await db.rows(`SELECT id, key, value, num, type FROM params WHERE ${chosenCondition(chosen, sql)}${keysCondition(keys, sql)} ORDER BY key`, sql.values)) {
    const id = String(r["id"]);
    const p = out.get(id) ?? {};
    p[String(r["key"])] = paramValue(r["value"], r["num"], String(r["type"]));
    out.set(id, p);
  }
  return out;
}

export interface ExperimentRow {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  source_commit: string | null;
  branch: string | null;
  config_hash: string;
  dirty: boolean | null;
}

/** The experiments a selection matches, newest first, each with the group key of its repeats. */
export async function experimentsWithGroups(db: IndexDatabase, catalog: Catalog, selection: Selection, repeatKeys: readonly string[]): Promise<(ExperimentRow & { group_key: string })[]> {
  const sql = new SqlBuilder();
  const chosen = chosenCondition({ selection, catalog }, sql);
  const groups = groupKeySql(repeatKeys, (k) => sql.param(k));
  const rows = await db.rows(
    `SELECT x.id, name, status, created_at, source_commit, branch, config_hash, dirty, coalesce(g.group_key, '${EMPTY_GROUP_KEY}') AS group_key
     FROM experiments x LEFT JOIN ${groups} g ON g.id = x.id WHERE x.${chosen} ORDER BY created_at DESC, x.id`,
    sql.values,
  );
  return rows.map((r) => ({ ...experimentRow(r), group_key: String(r["group_key"]) }));
}

function experimentRow(r: SqlRow): ExperimentRow {
  return {
    id: String(r["id"]),
    name: r["name"] as string | null,
    status: String(r["status"]),
    created_at: String(r["created_at"]),
    source_commit: r["source_commit"] as string | null,
    branch: r["branch"] as string | null,
    config_hash: String(r["config_hash"]),
    dirty: r["dirty"] as boolean | null,
  };
}

export interface ListedExperiment extends ExperimentRow {
  created_by: string | null;
  message: string | null;
  duration_s: number | null;
  exit_code: number | null;
}

/**
 * `ls`: the experiments a selection matches in the order asked (`sort`, then newest first),
 * at most `limit`; `total` counts them all, asked only when the limit may have cut the list.
 */
export async function listExperiments(
  db: IndexDatabase,
  catalog: Catalog,
  options: { selection: Selection; sort?: string; limit?: number },
): Promise<{ rows: ListedExperiment[]; selection: CompiledSelection; sort: ReturnType<typeof compileSort> | undefined; total: () => Promise<number> }> {
  const sql = new SqlBuilder();
  const selection = compileSelection(options.selection, catalog, sql);
  const sort = options.sort ? compileSort(options.sort, catalog, sql) : undefined;
  const limit = options.limit !== undefined ? ` LIMIT ${sql.param(options.limit)}` : "";
  const rows = await db.rows(
    `SELECT ${E}.id, ${E}.name, ${E}.status, ${E}.created_at, ${E}.created_by, ${E}.branch, ${E}.source_commit, ${E}.config_hash,
       ${E}.message, ${E}.duration_s, ${E}.exit_code, ${E}.dirty
     FROM experiments ${E} ${sort?.join ?? ""}
     WHERE ${selection.condition}
     ORDER BY ${sort ? `${sort.order}, ` : ""}${E}.created_at DESC, ${E}.id${limit}`,
    sql.values,
  );
  const total = (): Promise<number> => countMatching(db, catalog, options.selection);
  return {
    rows: rows.map((r) => ({
      ...experimentRow(r),
      created_by: r["created_by"] as string | null,
      message: r["message"] as string | null,
      duration_s: r["duration_s"] as number | null,
      exit_code: r["exit_code"] as number | null,
    })),
    selection,
    sort,
    total,
  };
}

/** How many experiments a selection matches. */
export async function countMatching(db: IndexDatabase, catalog: Catalog, selection: Selection): Promise<number> {
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, catalog, sql);
  return Number(await db.value(`SELECT count(*) FROM experiments ${E} WHERE ${condition}`, sql.values));
}

/** Only the ids a selection matches, newest first: what --where means for other commands. */
export async function idsMatching(db: IndexDatabase, selection: Selection): Promise<string[]> {
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, await Catalog.load(db), sql);
  const rows = await db.rows(`SELECT ${E}.id FROM experiments ${E} WHERE ${condition} ORDER BY ${E}.created_at DESC, ${E}.id`, sql.values);
  return rows.map((r) => String(r["id"]));
}

/** The newest experiments of a selection with a metric's series, at most `limit`, and how many there are in all. */
export async function newestWithSeries(db: IndexDatabase, metric: string, selection: Selection, limit: number): Promise<{ ids: string[]; matched: number }> {
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, await Catalog.load(db), sql);
  const where = `${E}.id IN (SELECT id FROM metrics WHERE key = ${sql.param(metric)} AND points > 0) AND ${condition}`;
  const matched = Number(await db.value(`SELECT count(*) FROM experiments ${E} WHERE ${where}`, sql.values));
  const rows = await db.rows(`SELECT ${E}.id FROM experiments ${E} WHERE ${where} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${sql.param(limit)}`, sql.values);
  return { ids: rows.map((r) => String(r["id"])), matched };
}

/** The metrics that have a history somewhere: what a plot could draw, for suggestions. */
export async function seriesKeys(db: IndexDatabase): Promise<string[]> {
  return (await db.rows("SELECT DISTINCT key FROM metrics WHERE points > 0 ORDER BY key")).map((r) => String(r["key"]));
}

// ---- the dashboard: a page of the runs table, the keys a picker offers, a few runs' series

/**
 * One page of the experiments a selection matches, in a sort's order (`compileSort`'s spec),
 * then newest first: the experiments table's columns as DuckDB gives them.
 */
export async function experimentsPage(db: IndexDatabase, catalog: Catalog, q: { selection: Selection; sort: string; limit: number; offset: number }): Promise<SqlRow[]> {
  const sql = new SqlBuilder();
  const selection = compileSelection(q.selection, catalog, sql);
  const sort = compileSort(q.sort, catalog, sql);
  return db.rows(
    `SELECT ${E}.id, ${E}.name, ${E}.status, ${E}.created_at, ${E}.created_by, ${E}.branch, ${E}.source_commit,
       ${E}.config_hash, ${E}.duration_s, ${E}.exit_code, ${E}.message
     FROM experiments ${E} ${sort.join}
     WHERE ${selection.condition}
     ORDER BY ${sort.order}, ${E}.created_at DESC, ${E}.id
     LIMIT ${sql.param(q.limit)} OFFSET ${sql.param(q.offset)}`,
    sql.values,
  );
}

/** Param and metric keys from the small `keys` table, the most common first. */
export async function keysByUse(db: IndexDatabase): Promise<{ params: string[]; metrics: string[] }> {
  const rows = await db.rows("SELECT kind, key, experiments FROM keys WHERE kind IN ('param', 'metric') ORDER BY experiments DESC, key");
  return {
    params: rows.filter((r) => r["kind"] === "param").map((r) => String(r["key"])),
    metrics: rows.filter((r) => r["kind"] === "metric").map((r) => String(r["key"])),
  };
}

/** Params with more than one value among the experiments (a missing value counts as one). */
export async function varyingParamKeys(db: IndexDatabase): Promise<Set<string>> {
  const rows = await db.rows("SELECT key FROM params GROUP BY key HAVING count(DISTINCT value) + max(CASE WHEN value IS NULL THEN 1 ELSE 0 END) > 1");
  return new Set(rows.map((r) => String(r["key"])));
}

/** The series keys some of these experiments have, in order. */
export async function seriesKeysOf(db: IndexDatabase, ids: string[]): Promise<string[]> {
  const rows = await db.rows("SELECT DISTINCT key FROM series WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key", [listValue(ids)]);
  return rows.map((r) => String(r["key"]));
}

/** The names of these experiments (null for an unnamed one). */
export async function namesOf(db: IndexDatabase, ids: string[]): Promise<{ id: string; name: string | null }[]> {
  const rows = await db.rows("SELECT id, name FROM experiments WHERE id IN (SELECT unnest($1::VARCHAR[]))", [listValue(ids)]);
  return rows.map((r) => ({ id: String(r["id"]), name: r["name"] as string | null }));
}

/** One series of these experiments, by id, in step order; values decoded (NaN and infinities kept). */
export async function seriesPoints(db: IndexDatabase, ids: string[], key: string): Promise<Map<string, [number, number | null][]>> {
  const points = new Map<string, [number, number | null][]>();
  const rows = await db.rows("SELECT id, step, value FROM series WHERE id IN (SELECT unnest($1::VARCHAR[])) AND key = $2 ORDER BY id, step", [listValue(ids), key]);
  for (const r of rows) {
    const id = String(r["id"]);
    if (!points.has(id)) points.set(id, []);
    points.get(id)!.push([Number(r["step"]), toNumber(r["value"])]);
  }
  return points;
}

/**
 * A few params' and metrics' values for the newest `maxRuns` runs a selection keeps, one
 * column each, typed by DuckDB: `n<i>` a param's number where it is one and `v<i>` its text
 * where it is not (a category), `m<i>` a metric's finite value; `total` the runs selected,
 * and with `ids` each run's `id` and `name`. Read column by column: at 10,000 runs building
 * row objects and decoding each value cost several times the query.
 */
export async function keyMatrix(
  db: IndexDatabase,
  catalog: Catalog,
  q: { selection: Selection; params: string[]; metrics: string[]; maxRuns: number; ids: boolean },
): Promise<Map<string, SqlValue[]>> {
  const sql = new SqlBuilder();
  const sel = compileSelection(q.selection, catalog, sql);
  const pk = q.params.map((k) => sql.param(k));
  const mk = q.metrics.map((k) => sql.param(k));
  const pcols = pk.flatMap((k, i) => [
    `any_value(coalesce(p.num, TRY_CAST(p.value AS DOUBLE))) FILTER (WHERE p.key = ${k} AND p.type = 'number') AS n${i}`,
    `any_value(p.value) FILTER (WHERE p.key = ${k} AND p.type NOT IN ('number', 'null')) AS v${i}`,
  ]);
  const mcols = mk.map((k, i) => `any_value(CASE WHEN isfinite(m.value) THEN m.value END) FILTER (WHERE m.key = ${k}) AS m${i}`);
  // Every run chosen: keeping the params and metrics to the chosen ones would only cost a
  // semi-join (a third of the query at 10,000 runs).
  const all = q.selection.where === undefined && catalog.experiments <= q.maxRuns;
  const chosenOnly = (alias: string): string => (all ? "" : ` AND ${alias}.id IN (SELECT id FROM chosen)`);
  return db.columns(
    `WITH chosen AS (SELECT ${E}.id, ${E}.name, ${E}.created_at, count(*) OVER () AS total FROM experiments ${E} WHERE ${sel.condition} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${q.maxRuns})` +
      (pk.length ? `, pv AS (SELECT p.id, ${pcols.join(", ")} FROM params p WHERE p.key IN (${pk.join(", ")})${chosenOnly("p")} GROUP BY p.id)` : "") +
      (mk.length ? `, mv AS (SELECT m.id, ${mcols.join(", ")} FROM metrics m WHERE m.key IN (${mk.join(", ")})${chosenOnly("m")} GROUP BY m.id)` : "") +
      ` SELECT c.total${q.ids ? ", c.id, c.name" : ""}${pk.map((_, i) => `, pv.n${i}, pv.v${i}`).join("")}${mk.map((_, i) => `, mv.m${i}`).join("")} FROM chosen c` +
      (pk.length ? ` LEFT JOIN pv ON pv.id = c.id` : "") +
      (mk.length ? ` LEFT JOIN mv ON mv.id = c.id` : "") +
      ` ORDER BY c.created_at DESC, c.id`,
    sql.values,
  );
}

// ---- studies: the trials a sampler reads back, and `git exp sweeps`

export interface TrialRow {
  id: string;
  index: number;
  status: string;
  pruned: boolean;
  created_at: string;
  /** The study's metric; null where the trial has none. */
  value: number | null;
}

/** Every trial of a study, by index then time. */
export async function trialRows(db: IndexDatabase, sweepId: string, metric: string): Promise<TrialRow[]> {
  const rows = await db.rows(
    `SELECT id, sweep_index, status, pruned_rule, strftime(created_at, '%Y-%m-%dT%H:%M:%S.%g') AS created,
       (SELECT value FROM metrics m WHERE m.id = e.id AND m.key = $2) AS value
     FROM experiments e WHERE sweep_id = $1 AND sweep_index IS NOT NULL ORDER BY sweep_index, created_at`,
    [sweepId, metric],
  );
  return rows.map((r) => ({
    id: String(r["id"]),
    index: Number(r["sweep_index"]),
    status: String(r["status"]),
    pruned: r["pruned_rule"] !== null,
    created_at: `${String(r["created"])}Z`,
    value: r["value"] === null || r["value"] === undefined ? null : Number(r["value"]),
  }));
}

/** The trials of a study, or only `only` of them. */
function trialIds(only: string[] | undefined): { ids: string; values: DuckDBValue[] } {
  return {
    ids: `SELECT id FROM experiments WHERE sweep_id = $1${only ? " AND list_contains($3::VARCHAR[], id)" : ""}`,
    values: only ? [listValue(only)] : [],
  };
}

/** The study's params (`keys`) of its trials, as the configs held them, by trial id. */
export async function trialParams(db: IndexDatabase, sweepId: string, keys: string[], only?: string[]): Promise<Map<string, Map<string, JsonValue>>> {
  const { ids, values } = trialIds(only);
  const rows = await db.rows(`SELECT id, key, value, num, type FROM params WHERE key IN (SELECT unnest($2::VARCHAR[])) AND id IN (${ids})`, [sweepId, listValue(keys), ...values]);
  const byId = new Map<string, Map<string, JsonValue>>();
  for (const p of rows) {
    const id = String(p["id"]);
    if (!byId.has(id)) byId.set(id, new Map());
    byId.get(id)!.set(String(p["key"]), configValue(p["value"], p["num"], p["type"]));
  }
  return byId;
}

/** The trials' series of the study's metric, by trial id; a missing point is NaN. */
export async function trialCurves(db: IndexDatabase, sweepId: string, metric: string, only?: string[]): Promise<Map<string, { step: number[]; value: number[] }>> {
  const { ids, values } = trialIds(only);
  const rows = await db.rows(
    `SELECT s.id, list(s.step ORDER BY s.step) AS steps, list(s.value ORDER BY s.step) AS vals
     FROM series s WHERE s.key = $2 AND s.id IN (${ids}) GROUP BY s.id`,
    [sweepId, metric, ...values],
  );
  const curves = new Map<string, { step: number[]; value: number[] }>();
  for (const c of rows) {
    const steps = c["steps"] as unknown as number[];
    const vals = c["vals"] as unknown as (number | null)[];
    curves.set(String(c["id"]), { step: steps.map(Number), value: vals.map((v) => (v === null ? NaN : Number(v))) });
  }
  return curves;
}

/** One row per study, newest activity first: counts, times, the first command and the ids of its lowest and highest completed trial. */
export async function studyRows(db: IndexDatabase): Promise<SqlRow[]> {
  return db.rows(
    `WITH t AS (
       SELECT e.*, (SELECT m.value FROM metrics m WHERE m.id = e.id AND m.key = e.sweep_metric) AS objective
       FROM experiments e WHERE sweep_id IS NOT NULL)
     SELECT sweep_id AS id, any_value(sweep_method) AS method, any_value(sweep_metric) AS metric, any_value(sweep_goal) AS goal,
       count(*) AS trials,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE pruned_rule IS NOT NULL) AS pruned,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'interrupted' AND pruned_rule IS NULL) AS interrupted,
       max(sweep_size) AS size,
       strftime(min(created_at), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(created_at), '%Y-%m-%dT%H:%M:%SZ') AS last,
       arg_min(command, created_at) AS command,
       arg_min(id, objective) FILTER (WHERE status = 'completed' AND objective IS NOT NULL AND NOT isnan(objective)) AS lo_id,
       arg_max(id, objective) FILTER (WHERE status = 'completed' AND objective IS NOT NULL AND NOT isnan(objective)) AS hi_id
     FROM t GROUP BY sweep_id ORDER BY max(created_at) DESC, sweep_id`,
  );
}

/** The best trials of studies: each one's index, its value of its study's metric and its params. */
export async function studyBest(db: IndexDatabase, ids: string[]): Promise<Map<string, { index: number; value: number; config: Record<string, JsonValue> }>> {
  const best = new Map<string, { index: number; value: number; config: Record<string, JsonValue> }>();
  if (ids.length === 0) return best;
  const info = await db.rows(
    `SELECT e.id, e.sweep_index, (SELECT m.value FROM metrics m WHERE m.id = e.id AND m.key = e.sweep_metric) AS value FROM experiments e WHERE e.id IN (SELECT unnest($1::VARCHAR[]))`,
    [listValue(ids)],
  );
  for (const r of info) best.set(String(r["id"]), { index: Number(r["sweep_index"]), value: Number(r["value"]), config: {} });
  for (const p of await db.rows(`SELECT id, key, value, num, type FROM params WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key`, [listValue(ids)])) {
    best.get(String(p["id"]))!.config[String(p["key"])] = configValue(p["value"], p["num"], p["type"]);
  }
  return best;
}

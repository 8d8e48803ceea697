import { GitExpError, UsageError } from "../core/errors.js";
import { parseKey } from "../core/filter.js";
import type { JsonValue } from "../core/json.js";
import { ATTRIBUTES, Catalog } from "../index/catalog.js";
import type { IndexDatabase, SqlValue } from "../index/database.js";
import { SqlBuilder, compileSort } from "../index/filter-sql.js";
import {
  countMatching,
  experimentsPage,
  keysByUse,
  metricsOf,
  namesOf,
  paramsOf,
  seriesKeysOf,
  seriesPoints,
  tagsOf,
  varyingParamKeys,
} from "../index/queries.js";
import { lowerIsBetter } from "./catalog.js";

/** One page of the runs table: what a dashboard asks for, never every experiment. */
export interface RunsQuery {
  where?: string;
  /** Any attribute, `params.X` or `metrics.X`; default created_at. */
  sort?: string;
  desc?: boolean;
  offset?: number;
  limit?: number;
  /** Attributes, `params.X`, `metrics.X`, `tags`; default DEFAULT_RUN_COLUMNS. */
  columns?: string[];
}

/** A table cell as JSON carries it; NaN and infinities stay numbers (the caller encodes them). */
export type RunCell = string | number | boolean | null;

export interface RunsPage {
  /** How many experiments match the filter, all pages together. */
  total: number;
  offset: number;
  limit: number;
  columns: string[];
  rows: Record<string, RunCell>[];
}

const DEFAULT_RUN_COLUMNS = ["id", "name", "status", "created_at", "tags"];
const MAX_PAGE = 500;

/**
 * The experiments matching a filter, sorted on any column, one page at a time: one count
 * and one LIMIT/OFFSET query, then the page's params, metrics and tags by id.
 */
export async function runsPage(db: IndexDatabase, q: RunsQuery): Promise<RunsPage> {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new UsageError(`offset must be a whole number from 0, not ${offset}`);
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_PAGE) throw new UsageError(`a page holds 1 to ${MAX_PAGE} rows, not ${limit}`);
  const catalog = await Catalog.load(db);
  const columns = checkColumns(q.columns?.length ? q.columns : DEFAULT_RUN_COLUMNS, catalog);
  const selection = { where: emptyToUndefined(q.where) };
  const total = await countMatching(db, catalog, selection);
  const rows = await experimentsPage(db, catalog, { selection, sort: sortOf(q, catalog), limit, offset });
  const page = rows.map((r) => {
    const row: Record<string, RunCell> = {};
    for (const c of columns) if (!c.includes(".") && c !== "tags") row[c] = attributeCell(r[ATTRIBUTES[c]?.column ?? c] ?? null);
    row["id"] = String(r["id"]);
    return row;
  });
  await attachKeys(db, page, columns);
  return { total, offset, limit, columns, rows: page };
}

/**
 * The page's sort: a key with `desc` as a separate flag, or a key that says its own direction
 * (`-metrics.acc`, `metrics.acc desc`). Checked here so its errors name the sort, and a page
 * can drop a stale one.
 */
function sortOf(q: RunsQuery, catalog: Catalog): string {
  const given = q.sort?.trim() || "created_at";
  const spec = /^[-+]|\s(asc|desc)$/i.test(given) ? given : `${given} ${q.desc === false ? "asc" : "desc"}`;
  try {
    compileSort(spec, catalog, new SqlBuilder());
    return spec;
  } catch (e) {
    if (!(e instanceof GitExpError)) throw e;
    throw new UsageError(`sort ${given}: ${e.message}`);
  }
}

function emptyToUndefined(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s;
}

function attributeCell(v: SqlValue): RunCell {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

function checkColumns(given: string[], catalog: Catalog): string[] {
  const out = given.map((c) => {
    if (c === "tags") return c;
    const { key } = parseKey(catalog.keySyntax(c), "the column");
    if (key.startsWith("params.")) {
      if (catalog.strict && !catalog.params.has(key.slice(7))) throw catalog.unknown(key);
    } else if (key.startsWith("metrics.")) {
      if (catalog.strict && !catalog.metrics.has(key.slice(8))) throw catalog.unknown(key);
    } else if (!(key in ATTRIBUTES)) throw new UsageError(`column ${c}: ${catalog.unknown(key).message}`);
    return key;
  });
  return [...new Set(out)];
}

/** Tags and the named params and metrics of one page: a query each, by id. */
async function attachKeys(db: IndexDatabase, page: Record<string, RunCell>[], columns: string[]): Promise<void> {
  if (page.length === 0) return;
  const byId = new Map(page.map((r) => [String(r["id"]), r]));
  const chosen = { ids: [...byId.keys()] };
  const params = columns.filter((c) => c.startsWith("params.")).map((c) => c.slice(7));
  const metrics = columns.filter((c) => c.startsWith("metrics.")).map((c) => c.slice(8));
  for (const r of page) {
    for (const p of params) r[`params.${p}`] = null;
    for (const m of metrics) r[`metrics.${m}`] = null;
  }
  if (columns.includes("tags")) {
    for (const r of page) r["tags"] = "";
    for (const [id, tags] of await tagsOf(db, chosen)) byId.get(id)!["tags"] = tags.join(",");
  }
  if (params.length > 0) {
    for (const [id, values] of await paramsOf(db, chosen, params)) for (const [k, v] of Object.entries(values)) byId.get(id)![`params.${k}`] = paramCell(v);
  }
  if (metrics.length > 0) {
    for (const [id, values] of await metricsOf(db, chosen, metrics)) for (const [k, v] of Object.entries(values)) byId.get(id)![`metrics.${k}`] = v;
  }
}

function paramCell(v: JsonValue): RunCell {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

export interface IndexKeys {
  params: string[];
  metrics: string[];
  /** Columns worth showing first: attributes, the params that vary, the metrics most runs have. */
  defaults: string[];
  /** Metrics where lower is better (losses, errors, times): a first click sorts them ascending. */
  lower: string[];
}

/** The keys a column picker offers, from the index's small `keys` table. */
export async function indexKeys(db: IndexDatabase, shown = 4): Promise<IndexKeys> {
  const { params, metrics } = await keysByUse(db);
  const varying = await varyingParamKeys(db);
  const defaults = [
    ...DEFAULT_RUN_COLUMNS,
    ...params.filter((p) => varying.has(p)).slice(0, shown).map((p) => `params.${p}`),
    ...metrics.slice(0, shown).map((m) => `metrics.${m}`),
  ];
  return { params: [...params].sort(), metrics: [...metrics].sort(), defaults, lower: metrics.filter(lowerIsBetter).sort() };
}

export interface RunSeries {
  metric: string | null;
  /** Every series the chosen runs have, for a metric picker. */
  metrics: string[];
  /** One line per run that has the metric; null y is a missing or NaN point (a gap). */
  series: { id: string; label: string; points: [number, number | null][] }[];
}

/** The history of one metric for a few runs, from the index's `series` table. */
export async function runSeries(db: IndexDatabase, ids: string[], metric?: string): Promise<RunSeries> {
  if (ids.length === 0) return { metric: null, metrics: [], series: [] };
  const metrics = await seriesKeysOf(db, ids);
  const chosen = metric && metrics.includes(metric) ? metric : (metrics.find((m) => /(^|[._/-])loss$/i.test(m)) ?? metrics[0] ?? null);
  if (chosen === null) return { metric: null, metrics, series: [] };
  const labels = labelsOf(await namesOf(db, ids));
  // A NaN or infinite point draws as a gap.
  const points = new Map([...(await seriesPoints(db, ids, chosen))].map(([id, ps]) => [id, ps.map(([s, v]): [number, number | null] => [s, v !== null && Number.isFinite(v) ? v : null])]));
  const series = ids.filter((id) => points.has(id)).map((id) => ({ id, label: labels.get(id) ?? id.slice(0, 10), points: points.get(id)! }));
  return { metric: chosen, metrics, series };
}

/** Names as labels; a short id where a run has none or shares its name. */
function labelsOf(runs: { id: string; name: string | null }[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.name) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return new Map(runs.map((r) => [r.id, r.name && counts.get(r.name) === 1 ? r.name : `${r.name ? `${r.name} ` : ""}${r.id.slice(0, 10)}`]));
}

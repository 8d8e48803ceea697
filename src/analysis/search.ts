import { listValue } from "../index/duckdb.js";
import { parseKey } from "../core/filter.js";
import type { JsonValue } from "../core/json.js";
import { ATTRIBUTES, Catalog } from "../index/catalog.js";
import type { IndexDatabase, SqlValue } from "../index/database.js";
import { E, SqlBuilder, compileSort } from "../index/filter-sql.js";
import { compileSelection, type Selection } from "../index/selection.js";
import type { FoundExperiment } from "../core/search-results.js";

export interface SearchOptions extends Selection {
  /** `metrics.acc`, `-created`, `params.lr desc`; default newest first. */
  sort?: string;
  limit?: number;
  /** Keys to show: attributes, `params.X`, `metrics.X`, `tags`. */
  columns?: string[];
  /** Also fetch every experiment's params (JSON output wants them). */
  withParams?: boolean;
}

export interface SearchResult {
  experiments: FoundExperiment[];
  /** The columns to show, in order: given ones, else defaults plus keys the query named. */
  columns: string[];
  /** Which key an ambiguous bare name in --sort or --columns was read as (for stderr). */
  notes: string[];
  /** How many experiments the selection matches, before the limit. */
  total: number;
}

const DEFAULT_COLUMNS = ["id", "name", "status", "created", "tags"];

/** `git exp ls`: filter, sort and limit experiments in the index. */
export async function searchExperiments(db: IndexDatabase, options: SearchOptions = {}): Promise<SearchResult> {
  const catalog = await Catalog.load(db);
  const sql = new SqlBuilder();
  const selection = compileSelection(options, catalog, sql);
  // The selection's parameters come first: the count below binds only those.
  const selectionParams = sql.values.length;
  const sort = options.sort ? compileSort(options.sort, catalog, sql) : undefined;
  const notes = sort?.note ? [sort.note] : [];
  const columns = resolveColumns(options.columns, catalog, [...selection.referenced, ...(sort && /^(params|metrics)\./.test(sort.key) ? [sort.key] : [])], notes);
  const limit = options.limit !== undefined ? ` LIMIT ${sql.param(options.limit)}` : "";
  const rows = await db.rows(
    `SELECT ${E}.id, ${E}.name, ${E}.status, ${E}.created_at, ${E}.created_by, ${E}.branch, ${E}.source_commit, ${E}.config_hash,
       ${E}.message, ${E}.duration_s, ${E}.exit_code, ${E}.dirty
     FROM experiments ${E} ${sort?.join ?? ""}
     WHERE ${selection.condition}
     ORDER BY ${sort ? `${sort.order}, ` : ""}${E}.created_at DESC, ${E}.id${limit}`,
    sql.values,
  );
  const found: FoundExperiment[] = rows.map((r) => ({
    id: String(r["id"]),
    name: r["name"] as string | null,
    status: String(r["status"]),
    created_at: String(r["created_at"]),
    created_by: r["created_by"] as string | null,
    branch: r["branch"] as string | null,
    source_commit: r["source_commit"] as string | null,
    config_hash: String(r["config_hash"]),
    message: r["message"] as string | null,
    duration_s: r["duration_s"] as number | null,
    exit_code: r["exit_code"] as number | null,
    dirty: r["dirty"] as boolean | null,
    tags: [],
    metrics: {},
  }));
  const wantParams = options.withParams || columns.some((c) => c.startsWith("params."));
  await attachDetails(db, found, wantParams);
  const total = options.limit !== undefined && found.length === options.limit
    ? Number(await db.value(`SELECT count(*) FROM experiments ${E} WHERE ${selection.condition}`, sql.values.slice(0, selectionParams)))
    : found.length;
  return { experiments: found, columns, notes, total };
}

function resolveColumns(given: string[] | undefined, catalog: Catalog, referenced: string[], notes: string[]): string[] {
  if (!given || given.length === 0) {
    const extra = [...new Set(referenced)];
    return [...DEFAULT_COLUMNS, ...(extra.length > 0 ? extra : ["metrics"])];
  }
  return given.map((c) => {
    if (c === "tags" || c === "metrics" || c === "params") return c;
    const named = catalog.qualify(c, "--columns");
    if (named.note) notes.push(named.note);
    const { key } = parseKey(catalog.keySyntax(named.key), "--columns");
    if (key.startsWith("params.")) {
      if (catalog.strict && !catalog.params.has(key.slice(7))) throw catalog.unknown(key);
    } else if (key.startsWith("metrics.")) {
      if (catalog.strict && !catalog.metrics.has(key.slice(8))) throw catalog.unknown(key);
    } else if (!(key in ATTRIBUTES)) {
      // Unknown like any other key (exit 3), whether it looked like an attribute or not.
      const e = catalog.unknown(key);
      e.message = `--columns: ${e.message}`;
      throw e;
    }
    return key;
  });
}

/** Tags, metrics and params of the found experiments: one query each, not one per experiment. */
async function attachDetails(db: IndexDatabase, found: FoundExperiment[], withParams: boolean): Promise<void> {
  if (found.length === 0) return;
  const byId = new Map(found.map((f) => [f.id, f]));
  const ids = [listValue(found.map((f) => f.id))];
  const inIds = "id IN (SELECT unnest($1::VARCHAR[]))";
  for (const r of await db.rows(`SELECT id, tag FROM tags WHERE ${inIds} ORDER BY tag`, ids)) {
    byId.get(String(r["id"]))?.tags.push(String(r["tag"]));
  }
  for (const r of await db.rows(`SELECT id, key, value FROM metrics WHERE ${inIds} ORDER BY key`, ids)) {
    const f = byId.get(String(r["id"]));
    if (f) f.metrics[String(r["key"])] = toNumber(r["value"]);
  }
  if (!withParams) return;
  for (const f of found) f.params = {};
  for (const r of await db.rows(`SELECT id, key, value, num, type FROM params WHERE ${inIds} ORDER BY key`, ids)) {
    const f = byId.get(String(r["id"]));
    if (f?.params) f.params[String(r["key"])] = paramValue(r["value"], r["num"], String(r["type"]));
  }
}

/** DuckDB hands NaN back as a number already; text forms appear only through JSON paths. */
export function toNumber(v: SqlValue): number | null {
  if (v === null) return null;
  if (typeof v === "number") return v;
  const n = Number(v);
  return Number.isNaN(n) && v !== "NaN" ? null : n;
}

/** A param's value with its JSON type back: the index keeps text plus a type tag. */
export function paramValue(value: SqlValue, num: SqlValue, type: string): JsonValue {
  switch (type) {
    case "number": {
      const text = String(value);
      return /^-?\d{16,}$/.test(text) ? BigInt(text) : Number(num ?? text);
    }
    case "boolean":
      return value === "true";
    case "null":
      return null;
    case "array":
    case "object":
      return JSON.parse(String(value)) as JsonValue;
    default:
      return value === null ? null : String(value);
  }
}

/** Only the ids a selection matches, newest first: what --where means for other commands. */
export async function idsMatching(db: IndexDatabase, selection: Selection): Promise<string[]> {
  const catalog = await Catalog.load(db);
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, catalog, sql);
  const rows = await db.rows(`SELECT ${E}.id FROM experiments ${E} WHERE ${condition} ORDER BY ${E}.created_at DESC, ${E}.id`, sql.values);
  return rows.map((r) => String(r["id"]));
}

import { listValue } from "../index/duckdb.js";
import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { E, SqlBuilder } from "../index/filter-sql.js";
import { compileSelection } from "../index/selection.js";
import { UsageError } from "../core/errors.js";
import { parseKey } from "../core/filter.js";
import { paramValue, toNumber } from "./search.js";

/** A value on a chart axis: a number, a category (any other param value as text), or missing. */
export type AxisValue = number | string | null;

/** The filtered runs, a column of values per key: what parallel coordinates and a scatter draw. */
export interface RunMatrix {
  /** Runs matching the filter, all of them; `ids` holds the newest `MAX_MATRIX_RUNS`. */
  total: number;
  ids: string[];
  names: (string | null)[];
  columns: { key: string; kind: "number" | "category"; values: AxisValue[] }[];
}

export const MAX_MATRIX_RUNS = 20_000;
export const MAX_MATRIX_KEYS = 16;

/**
 * Values of a few `params.X` / `metrics.X` keys for every run the filter keeps (newest first,
 * at most MAX_MATRIX_RUNS): one count, one id query, one long-form query a key kind.
 */
export async function runMatrix(db: IndexDatabase, where: string, keys: string[]): Promise<RunMatrix> {
  if (keys.length > MAX_MATRIX_KEYS) throw new UsageError(`a chart takes at most ${MAX_MATRIX_KEYS} keys, not ${keys.length}`);
  const catalog = await Catalog.load(db);
  const named = keys.map((k) => {
    const { key } = parseKey(catalog.keySyntax(k), "the axis");
    if (!key.startsWith("params.") && !key.startsWith("metrics.")) throw new UsageError(`axis ${k}: give a params.X or metrics.X key`);
    return key;
  });
  const sql = new SqlBuilder();
  const sel = compileSelection({ where: where.trim() === "" ? undefined : where }, catalog, sql);
  const chosen = `SELECT ${E}.id FROM experiments ${E} WHERE ${sel.condition} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${MAX_MATRIX_RUNS}`;
  const rows = await db.rows(`SELECT ${E}.id, ${E}.name, count(*) OVER () AS total FROM experiments ${E} WHERE ${sel.condition} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${MAX_MATRIX_RUNS}`, sql.values);
  const ids = rows.map((r) => String(r["id"]));
  const at = new Map(ids.map((id, i) => [id, i]));
  const columns = named.map((key) => ({ key, kind: "number" as "number" | "category", values: new Array<AxisValue>(ids.length).fill(null) }));
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const params = named.filter((k) => k.startsWith("params.")).map((k) => k.slice(7));
  const metrics = named.filter((k) => k.startsWith("metrics.")).map((k) => k.slice(8));
  if (ids.length > 0 && params.length > 0) {
    // The selection again as a subquery: thousands of ids never travel as a parameter.
    const q = new SqlBuilder();
    q.values.push(...sql.values);
    const list = await db.rows(`SELECT id, key, value, num, type FROM params WHERE key IN (SELECT unnest(${q.param(listValue(params))}::VARCHAR[])) AND id IN (${chosen})`, q.values);
    for (const r of list) {
      const c = byKey.get(`params.${String(r["key"])}`)!;
      const v = paramValue(r["value"], r["num"], String(r["type"]));
      c.values[at.get(String(r["id"]))!] = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
    }
  }
  if (ids.length > 0 && metrics.length > 0) {
    const q = new SqlBuilder();
    q.values.push(...sql.values);
    const list = await db.rows(`SELECT id, key, value FROM metrics WHERE key IN (SELECT unnest(${q.param(listValue(metrics))}::VARCHAR[])) AND id IN (${chosen})`, q.values);
    for (const r of list) {
      const v = toNumber(r["value"]);
      byKey.get(`metrics.${String(r["key"])}`)!.values[at.get(String(r["id"]))!] = v !== null && Number.isFinite(v) ? v : null;
    }
  }
  for (const c of columns) if (c.values.some((v) => typeof v === "string")) {
    c.kind = "category";
    c.values = c.values.map((v) => (v === null ? null : String(v)));
  }
  return { total: rows.length ? Number(rows[0]!["total"]) : 0, ids, names: rows.map((r) => (r["name"] === null ? null : String(r["name"]))), columns };
}

import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { E, SqlBuilder } from "../index/filter-sql.js";
import { compileSelection } from "../index/selection.js";
import { UsageError } from "../core/errors.js";
import { parseKey } from "../core/filter.js";
import { paramValue, toNumber } from "../index/param-values.js";

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

const MAX_MATRIX_RUNS = 20_000;
const MAX_MATRIX_KEYS = 16;

/**
 * Values of a few `params.X` / `metrics.X` keys for every run the filter keeps (newest first,
 * at most MAX_MATRIX_RUNS), in one query.
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
  const params = named.filter((k) => k.startsWith("params.")).map((k) => k.slice(7));
  const metrics = named.filter((k) => k.startsWith("metrics.")).map((k) => k.slice(8));
  // One row per run, a column (value, num, type) per param and one per metric: a fraction of
  // the long-form rows, which at 10,000 runs cost more to hand to JavaScript than to query.
  const pk = params.map((k) => sql.param(k));
  const mk = metrics.map((k) => sql.param(k));
  const pcols = pk.flatMap((k, i) => [`any_value(p.value) FILTER (WHERE p.key = ${k}) AS v${i}`, `any_value(p.num) FILTER (WHERE p.key = ${k}) AS n${i}`, `any_value(p.type) FILTER (WHERE p.key = ${k}) AS t${i}`]);
  const mcols = mk.map((k, i) => `any_value(m.value) FILTER (WHERE m.key = ${k}) AS m${i}`);
  const rows = await db.rows(
    `WITH chosen AS (SELECT ${E}.id, ${E}.name, ${E}.created_at, count(*) OVER () AS total FROM experiments ${E} WHERE ${sel.condition} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${MAX_MATRIX_RUNS})` +
      (pk.length ? `, pv AS (SELECT p.id, ${pcols.join(", ")} FROM params p WHERE p.key IN (${pk.join(", ")}) AND p.id IN (SELECT id FROM chosen) GROUP BY p.id)` : "") +
      (mk.length ? `, mv AS (SELECT m.id, ${mcols.join(", ")} FROM metrics m WHERE m.key IN (${mk.join(", ")}) AND m.id IN (SELECT id FROM chosen) GROUP BY m.id)` : "") +
      ` SELECT c.id, c.name, c.total${pk.map((_, i) => `, pv.v${i}, pv.n${i}, pv.t${i}`).join("")}${mk.map((_, i) => `, mv.m${i}`).join("")} FROM chosen c` +
      (pk.length ? ` LEFT JOIN pv ON pv.id = c.id` : "") +
      (mk.length ? ` LEFT JOIN mv ON mv.id = c.id` : "") +
      ` ORDER BY c.created_at DESC, c.id`,
    sql.values,
  );
  const ids = rows.map((r) => String(r["id"]));
  const columns = named.map((key) => ({ key, kind: "number" as "number" | "category", values: new Array<AxisValue>(ids.length).fill(null) }));
  const byKey = new Map(columns.map((c) => [c.key, c]));
  params.forEach((k, i) => {
    const c = byKey.get(`params.${k}`)!;
    rows.forEach((r, at) => {
      if (r[`t${i}`] === null || r[`t${i}`] === undefined) return;
      const v = paramValue(r[`v${i}`] ?? null, r[`n${i}`] ?? null, String(r[`t${i}`]));
      c.values[at] = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
    });
  });
  metrics.forEach((k, i) => {
    const c = byKey.get(`metrics.${k}`)!;
    rows.forEach((r, at) => {
      const v = toNumber(r[`m${i}`] ?? null);
      c.values[at] = v !== null && Number.isFinite(v) ? v : null;
    });
  });
  for (const c of columns) if (c.values.some((v) => typeof v === "string")) {
    c.kind = "category";
    c.values = c.values.map((v) => (v === null ? null : String(v)));
  }
  return { total: rows.length ? Number(rows[0]!["total"]) : 0, ids, names: rows.map((r) => (r["name"] === null ? null : String(r["name"]))), columns };
}

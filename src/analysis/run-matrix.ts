import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { keyMatrix } from "../index/queries.js";
import { UsageError } from "../core/errors.js";
import { parseKey } from "../core/filter.js";

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
  const params = named.filter((k) => k.startsWith("params.")).map((k) => k.slice(7));
  const metrics = named.filter((k) => k.startsWith("metrics.")).map((k) => k.slice(8));
  const selection = { where: where.trim() === "" ? undefined : where };
  const { total, rows } = await keyMatrix(db, catalog, { selection, params, metrics, maxRuns: MAX_MATRIX_RUNS });
  const ids = rows.map((r) => r.id);
  const columns = named.map((key) => ({ key, kind: "number" as "number" | "category", values: new Array<AxisValue>(ids.length).fill(null) }));
  const byKey = new Map(columns.map((c) => [c.key, c]));
  params.forEach((k, i) => {
    const c = byKey.get(`params.${k}`)!;
    rows.forEach((r, at) => {
      const v = r.params[i];
      if (v === undefined) return;
      c.values[at] = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
    });
  });
  metrics.forEach((k, i) => {
    const c = byKey.get(`metrics.${k}`)!;
    rows.forEach((r, at) => {
      const v = r.metrics[i] ?? null;
      c.values[at] = v !== null && Number.isFinite(v) ? v : null;
    });
  });
  for (const c of columns) if (c.values.some((v) => typeof v === "string")) {
    c.kind = "category";
    c.values = c.values.map((v) => (v === null ? null : String(v)));
  }
  return { total, ids, names: rows.map((r) => r.name), columns };
}

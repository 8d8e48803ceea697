import { Catalog } from "../index/catalog.js";
import type { IndexDatabase, SqlValue } from "../index/database.js";
import { keyMatrix } from "../index/queries.js";
import { UsageError } from "../core/errors.js";
import { parseKey } from "../core/filter.js";

/** A value on a chart axis: a number, a category (any other param value as text), or missing. */
export type AxisValue = number | string | null;

/** The filtered runs, a column of values per key: what parallel coordinates and a scatter draw. */
export interface RunMatrix {
  /** Runs matching the filter, all of them; the columns hold the newest `MAX_MATRIX_RUNS`. */
  total: number;
  /** How many runs the columns hold. */
  count: number;
  /** The runs of the columns, in their order; left out when asked to (lines need no links). */
  ids?: string[];
  names?: (string | null)[];
  columns: { key: string; kind: "number" | "category"; values: AxisValue[] }[];
}

export interface MatrixOptions {
  /** With the runs' ids and names (default): a scatter links each point to its run. */
  ids?: boolean;
}

export const MAX_MATRIX_RUNS = 20_000;
export const MAX_MATRIX_KEYS = 16;

/**
 * Values of a few `params.X` / `metrics.X` keys for every run the filter keeps (newest first,
 * at most MAX_MATRIX_RUNS), in one query read column by column.
 */
export async function runMatrix(db: IndexDatabase, where: string, keys: string[], options: MatrixOptions = {}): Promise<RunMatrix> {
  if (keys.length > MAX_MATRIX_KEYS) throw new UsageError(`a chart takes at most ${MAX_MATRIX_KEYS} keys, not ${keys.length}`);
  const catalog = await Catalog.load(db);
  const named = keys.map((k) => {
    const { key } = parseKey(catalog.keySyntax(k), "the axis");
    if (!key.startsWith("params.") && !key.startsWith("metrics.")) throw new UsageError(`axis ${k}: give a params.X or metrics.X key`);
    return key;
  });
  const params = named.filter((k) => k.startsWith("params.")).map((k) => k.slice(7));
  const metrics = named.filter((k) => k.startsWith("metrics.")).map((k) => k.slice(8));
  const withIds = options.ids !== false;
  const selection = { where: where.trim() === "" ? undefined : where };
  const cols = await keyMatrix(db, catalog, { selection, params, metrics, maxRuns: MAX_MATRIX_RUNS, ids: withIds });
  const column = (name: string): SqlValue[] => cols.get(name)!;
  const total = column("total");
  const count = total.length;
  const byKey = new Map<string, RunMatrix["columns"][number]>();
  params.forEach((k, i) => byKey.set(`params.${k}`, paramColumn(`params.${k}`, column(`n${i}`), column(`v${i}`))));
  metrics.forEach((k, i) => {
    // DuckDB's NaN and infinities are not drawn: the SQL left them out, null as missing
    const values = column(`m${i}`).map((v) => (typeof v === "number" ? v : null));
    byKey.set(`metrics.${k}`, { key: `metrics.${k}`, kind: "number", values });
  });
  const matrix: RunMatrix = { total: count ? Number(total[0]) : 0, count, columns: named.map((key) => byKey.get(key)!) };
  if (withIds) {
    matrix.ids = column("id").map(String);
    matrix.names = column("name").map((n) => (n === null ? null : String(n)));
  }
  return matrix;
}

/**
 * A param's values: numbers, or categories as soon as one run's value is not a number (then
 * the numbers are categories too, as their text). Other values as the index keeps them:
 * strings as they are, booleans, arrays and objects as canonical JSON.
 */
function paramColumn(key: string, nums: SqlValue[], texts: SqlValue[]): RunMatrix["columns"][number] {
  const category = texts.some((t) => t !== null);
  if (!category) return { key, kind: "number", values: nums.map((n) => (typeof n === "number" ? n : null)) };
  const values = texts.map((t, at): AxisValue => {
    const n = nums[at];
    if (typeof n === "number") return String(n);
    return t === null ? null : String(t);
  });
  return { key, kind: "category", values };
}

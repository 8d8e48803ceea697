import type { DuckDBAppender } from "@duckdb/node-api";
import { LIST, VARCHAR, listValue, timestampValue } from "./duckdb.js";
import { flattenMetrics, flattenParams, type Experiment, type Series } from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import type { IndexDatabase } from "./database.js";

type Cell = string | number | boolean | bigint | null | undefined | { micros: bigint } | string[];

/** The folded annotation state an experiment is shown with. */
export interface ShownState {
  name: string | null;
  tags: string[];
}

const TABLES = ["experiments", "params", "metrics", "series", "tags", "env", "inputs", "outputs", "_recorded"] as const;
type Table = (typeof TABLES)[number];

/** Rows of many experiments into every table through DuckDB Appenders: no INSERT per row. */
export class RowLoader {
  private constructor(private readonly appenders: Record<Table, DuckDBAppender>) {}

  static async open(db: IndexDatabase): Promise<RowLoader> {
    const entries = await Promise.all(TABLES.map(async (t) => [t, await db.appender(t)] as const));
    return new RowLoader(Object.fromEntries(entries) as Record<Table, DuckDBAppender>);
  }

  add(id: string, exp: Experiment, configHash: string, shown: ShownState): void {
    const m = exp.meta;
    const createdMs = Date.parse(m.created_at);
    this.row("experiments", [
      id,
      shown.name,
      m.status,
      Number.isNaN(createdMs) ? null : { micros: BigInt(createdMs) * 1000n },
      m.created_by?.name ?? null,
      m.created_by?.email ?? null,
      m.source?.commit ?? null,
      m.source?.branch ?? null,
      typeof m.source?.dirty === "boolean" ? m.source.dirty : null,
      configHash,
      m.message ?? null,
      Array.isArray(m.command) ? commandText(m.command) : null,
      typeof m.exit_code === "number" && Number.isSafeInteger(m.exit_code) ? BigInt(m.exit_code) : null,
      typeof m.duration_s === "number" ? m.duration_s : null,
      Array.isArray(m.parents) ? m.parents.map(String) : null,
    ]);
    for (const [key, v] of flattenParams(exp.config)) this.row("params", [id, key, paramText(v), paramNumber(v), paramType(v)]);
    this.addMetrics(id, exp);
    for (const tag of shown.tags) this.row("tags", [id, tag]);
    if (exp.env) for (const [key, v] of flattenParams(exp.env)) this.row("env", [id, key, paramText(v)]);
    this.addFiles("inputs", id, exp.inputs);
    this.addFiles("outputs", id, exp.outputs);
    this.row("_recorded", [id, m.name ?? null, m.tags ?? []]);
  }

  private addMetrics(id: string, exp: Experiment): void {
    const finals = new Map(flattenMetrics(exp.results));
    const keys = new Set([...finals.keys(), ...Object.keys(exp.series)]);
    for (const key of [...keys].sort()) {
      const s = exp.series[key];
      const st = s ? seriesStats(s) : undefined;
      const hasFinal = finals.has(key);
      const value = hasFinal ? finals.get(key)! : (st?.last ?? null);
      this.row("metrics", [id, key, value, hasFinal, st?.points ?? null, st?.last ?? null, st?.min ?? null, st?.max ?? null, st?.argmin ?? null, st?.argmax ?? null]);
      if (s) for (let i = 0; i < s.step.length; i++) this.row("series", [id, key, s.step[i]!, s.value[i] ?? null]);
    }
  }

  private addFiles(table: "inputs" | "outputs", id: string, files: JsonObject | undefined): void {
    if (!files) return;
    for (const [path, entry] of Object.entries(files)) {
      const e = isJsonObject(entry) ? entry : {};
      const { sha256, size, ...rest } = e;
      const info = Object.keys(rest).length > 0 ? canonicalJson(rest).trimEnd() : null;
      this.row(table, [
        id,
        path,
        typeof sha256 === "string" ? sha256 : null,
        typeof size === "number" && Number.isSafeInteger(size) ? BigInt(size) : null,
        info,
      ]);
    }
  }

  private row(table: Table, cells: Cell[]): void {
    const a = this.appenders[table];
    for (const c of cells) append(a, c);
    a.endRow();
  }

  close(): void {
    for (const a of Object.values(this.appenders)) {
      a.flushSync();
      a.closeSync();
    }
  }
}

function append(a: DuckDBAppender, c: Cell): void {
  if (c === null || c === undefined) a.appendNull();
  else if (typeof c === "string") a.appendVarchar(c);
  else if (typeof c === "number") a.appendDouble(c);
  else if (typeof c === "boolean") a.appendBoolean(c);
  else if (typeof c === "bigint") a.appendBigInt(c);
  else if (Array.isArray(c)) a.appendList(listValue(c), LIST(VARCHAR));
  else a.appendTimestamp(timestampValue(c.micros));
}

function commandText(args: JsonValue[]): string {
  return args.map((a) => (typeof a === "string" && /^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

/** Strings as they are; every other value as canonical JSON, so `value` is comparable text. */
export function paramText(v: JsonValue): string | null {
  if (v === null) return null;
  if (typeof v === "string") return v;
  return canonicalJson(v).trimEnd();
}

function paramNumber(v: JsonValue): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return null;
}

export function paramType(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "bigint") return "number";
  return typeof v;
}

export interface SeriesStats {
  points: number;
  last: number | null;
  min: number | null;
  max: number | null;
  argmin: number | null;
  argmax: number | null;
}

/**
 * Per-series figures kept next to the final value, so a leaderboard never scans history.
 * NaN and missing points never win min or max; `last` is the last recorded point.
 */
export function seriesStats(s: Series): SeriesStats {
  const st: SeriesStats = { points: s.step.length, last: null, min: null, max: null, argmin: null, argmax: null };
  for (let i = 0; i < s.step.length; i++) {
    const v = s.value[i];
    if (typeof v !== "number") continue;
    st.last = v;
    if (Number.isNaN(v)) continue;
    if (st.min === null || v < st.min) [st.min, st.argmin] = [v, s.step[i]!];
    if (st.max === null || v > st.max) [st.max, st.argmax] = [v, s.step[i]!];
  }
  return st;
}

import { flattenMetrics, flattenParams, type Experiment, type Series } from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { paramNumber, paramText, paramType } from "./param-values.js";
import type { IndexDatabase } from "./database.js";
import { DirectAppend, type ColumnKind, type StagedCell, type StagedColumn } from "./direct-append.js";
import { KeyTally } from "./key-tally.js";
import type { RunsRow } from "./runs.js";

/** The folded annotation state an experiment is shown with. */
export interface ShownState {
  name: string | null;
  tags: string[];
}

const cols = (spec: string): StagedColumn[] =>
  spec.split(" ").map((c) => {
    const [name, kind] = c.split(":");
    return { name: name!, kind: (kind ?? "text") as ColumnKind };
  });

/** Each loaded table's columns, as in schema.ts, with how they are staged. */
const TABLES = {
  experiments: cols(
    "id name status created_at:timestamp created_by created_by_email source_commit branch dirty:bool config_hash message command exit_code:bigint duration_s:double parents:textlist sweep_id sweep_index:bigint sweep_method sweep_metric sweep_goal pruned_rule pruned_at_step:double sweep_size:bigint",
  ),
  params: cols("id key value num:double type"),
  metrics: cols("id key value:double final:bool points:bigint last:double min:double max:double argmin_step:double argmax_step:double"),
  series: cols("id key step:double value:double"),
  tags: cols("id tag"),
  env: cols("id key value"),
  inputs: cols("id path sha256 size:bigint info"),
  outputs: cols("id path sha256 size:bigint info"),
  _recorded: cols("id name tags:textlist"),
};
type Table = keyof typeof TABLES;

/**
 * Rows of a few experiments into every table, value by value through DuckDB's Appender: an
 * update after a new run, and what BulkLoader leaves to it. Its rows are the reference the
 * bulk loader's SQL is tested against (tests/index-loader-oracle.test.ts).
 */
export class RowLoader {
  /** The keys of every row added, for folding into `keys` without a scan (null: not kept). */
  readonly keys: KeyTally | null;

  /** Their `runs` rows as they are loaded. */
  readonly runs: RunsRow[] = [];

  private readonly sink = new DirectAppend(TABLES);

  private constructor(tallyKeys: boolean) {
    this.keys = tallyKeys ? new KeyTally() : null;
  }

  /** Up to this many experiments, rows are appended one by one rather than through BulkLoader. */
  static readonly FEW = 64;

  static direct(tallyKeys: boolean): RowLoader {
    return new RowLoader(tallyKeys);
  }

  add(id: string, exp: Experiment, configHash: string, shown: ShownState): void {
    const m = exp.meta;
    const row = experimentsRow(id, exp, configHash, shown);
    this.row("experiments", row);
    const params = flattenParams(exp.config);
    for (const [key, v] of params) {
      const type = paramType(v);
      this.row("params", [id, key, paramText(v), paramNumber(v), type]);
      this.keys?.param(key, type);
    }
    const metrics = this.addMetrics(id, exp);
    this.runs.push({
      id,
      name: shown.name,
      status: m.status,
      createdMs: row[3] as number | null,
      createdBy: m.created_by?.name ?? null,
      commit: m.source?.commit ?? null,
      branch: m.source?.branch ?? null,
      configHash,
      params: new Map(params),
      metrics,
    });
    for (const tag of shown.tags) {
      this.row("tags", [id, tag]);
      this.keys?.tag(tag);
    }
    if (exp.env) {
      for (const [key, v] of flattenParams(exp.env)) {
        this.row("env", [id, key, paramText(v)]);
        this.keys?.env(key);
      }
    }
    for (const table of ["inputs", "outputs"] as const) for (const r of fileRows(table, exp[table])) this.row(table, [id, ...r.slice(1)]);
    this.row("_recorded", [id, m.name ?? null, m.tags ?? []]);
  }

  /** Returns each metric's value, as `metrics.value` holds it. */
  private addMetrics(id: string, exp: Experiment): Map<string, number | null> {
    const values = new Map<string, number | null>();
    for (const r of metricRows(exp)) {
      this.keys?.metric(r.key);
      values.set(r.key, r.value);
      const st = r.stats;
      this.row("metrics", [id, r.key, r.value, r.final, st?.points ?? null, st?.last ?? null, st?.min ?? null, st?.max ?? null, st?.argmin ?? null, st?.argmax ?? null]);
      const s = exp.series[r.key];
      if (s) this.sink.addColumns("series", [id, r.key], [s.step, s.value]);
    }
    return values;
  }

  private row(table: Table, cells: StagedCell[]): void {
    this.sink.add(table, cells);
  }

  /** Everything added goes into the tables. */
  finish(db: IndexDatabase): Promise<void> {
    return this.sink.finish(db);
  }
}

/** One `metrics` row: a final value, a series, or both (then the final value is the value). */
export interface MetricRow {
  key: string;
  value: number | null;
  final: boolean;
  stats: SeriesStats | undefined;
}

/** An experiment's `metrics` rows, by key. */
export function metricRows(exp: Experiment): MetricRow[] {
  const finals = new Map(flattenMetrics(exp.results));
  const keys = new Set([...finals.keys(), ...Object.keys(exp.series)]);
  return [...keys].sort().map((key) => {
    const s = exp.series[key];
    const stats = s ? seriesStats(s) : undefined;
    const final = finals.has(key);
    return { key, value: final ? finals.get(key)! : (stats?.last ?? null), final, stats };
  });
}

/** The `experiments` row of one experiment, its columns in the order of TABLES. */
export function experimentsRow(id: string, exp: Experiment, configHash: string, shown: ShownState): StagedCell[] {
  const m = exp.meta;
  const createdMs = Date.parse(m.created_at);
  return [
    id,
    shown.name,
    m.status,
    Number.isNaN(createdMs) ? null : createdMs,
    m.created_by?.name ?? null,
    m.created_by?.email ?? null,
    m.source?.commit ?? null,
    m.source?.branch ?? null,
    typeof m.source?.dirty === "boolean" ? m.source.dirty : null,
    configHash,
    m.message ?? null,
    Array.isArray(m.command) ? commandText(m.command) : null,
    typeof m.exit_code === "number" && Number.isSafeInteger(m.exit_code) ? m.exit_code : null,
    typeof m.duration_s === "number" ? m.duration_s : null,
    Array.isArray(m.parents) ? m.parents.map(String) : null,
    ...sweepCells(m),
  ];
}

/** The `inputs` or `outputs` rows of a files object: table, path, sha256, size, info (the other fields). */
export function fileRows(table: "inputs" | "outputs", files: JsonObject | undefined): [string, string, string | null, number | null, string | null][] {
  if (!files) return [];
  return Object.entries(files).map(([path, entry]) => {
    const e = isJsonObject(entry) ? entry : {};
    const { sha256, size, ...rest } = e;
    const info = Object.keys(rest).length > 0 ? canonicalJson(rest).trimEnd() : null;
    return [table, path, typeof sha256 === "string" ? sha256 : null, typeof size === "number" && Number.isSafeInteger(size) ? size : null, info];
  });
}

function commandText(args: JsonValue[]): string {
  return args.map((a) => (typeof a === "string" && /^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
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
function seriesStats(s: Series): SeriesStats {
  const { step, value } = s;
  let last: number | null = null;
  let min: number | null = null;
  let max: number | null = null;
  let argmin: number | null = null;
  let argmax: number | null = null;
  for (let i = 0; i < step.length; i++) {
    const v = value[i];
    if (typeof v !== "number") continue;
    last = v;
    if (Number.isNaN(v)) continue;
    if (min === null || v < min) {
      min = v;
      argmin = step[i]!;
    }
    if (max === null || v > max) {
      max = v;
      argmax = step[i]!;
    }
  }
  return { points: step.length, last, min, max, argmin, argmax };
}

/** experiment.json's `sweep` {id, index, method, metric, goal}, `pruned` {rule, at_step} and the sweep's size: a study's trials. */
function sweepCells(m: JsonObject): StagedCell[] {
  const sweep = isJsonObject(m["sweep"]) ? m["sweep"] : {};
  const pruned = isJsonObject(m["pruned"]) ? m["pruned"] : {};
  const text = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);
  const num = (v: JsonValue | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  // a BIGINT column: a size that is not a whole number is not one
  const whole = (v: JsonValue | undefined): number | null => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);
  return [
    text(sweep["id"]), num(sweep["index"]), text(sweep["method"]), text(sweep["metric"]), text(sweep["goal"]), text(pruned["rule"]), num(pruned["at_step"]),
    whole(sweep["size"]),
  ];
}

import { readFile } from "node:fs/promises";
import { InvalidInputError, NotFoundError } from "../core/errors.js";
import type { Series } from "../core/experiment.js";
import { utf8Text } from "../core/utf8.js";
import { decodeNonFinite, isJsonObject, parseJson, type JsonObject, type JsonValue } from "../core/json.js";


export async function readText(path: string, what: string): Promise<string> {
  try {
    return utf8Text(await readFile(path), `${what} file ${path}`);
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotFoundError(`${what} file ${path} does not exist`);
    if (code === "EISDIR") throw new InvalidInputError(`${what} file ${path} is a directory; give a JSON file`);
    throw new InvalidInputError(`cannot read ${what} file ${path}: ${(e as Error).message}`);
  }
}

/** A JSON object from a file; NaN tokens only where allowed (results, not config). */
export async function loadJsonObject(path: string, what: string, allowNonFinite: boolean): Promise<JsonObject> {
  const v = parseJson(await readText(path, what), { allowNonFinite, source: path });
  if (!isJsonObject(v)) throw new InvalidInputError(`${path}: the ${what} must be a JSON object, not ${describeType(v)}`);
  // results may spell non-finite values as the stored format does: "NaN", "Infinity"
  return allowNonFinite ? (decodeNonFinite(v) as JsonObject) : v;
}

function describeType(v: JsonValue): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** Metric lines: `{"step": 10, "loss": 0.4, "val": {"acc": 0.9}}`, one JSON object a line. */
export interface MetricLines {
  series: Record<string, Series>;
  /** Values of the last `"final": true` line, if any. */
  final: JsonObject | undefined;
  skipped: { count: number; firstLine: number | undefined };
  /** Keys that were not metrics (text, lists), each once: key path -> what it is. */
  ignored: Map<string, string>;
}

/**
 * Fold metric lines into series. `strict` throws on a bad line (record); otherwise bad
 * lines are counted and skipped (run).
 */
export function parseMetricLines(text: string, source: string, strict: boolean): MetricLines {
  const out: MetricLines = { series: {}, final: undefined, skipped: { count: 0, firstLine: undefined }, ignored: new Map() };
  const lines = text.split("\n");
  let autoStep = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const v = parseJson(line, { allowNonFinite: true, source: `${source} line ${i + 1}` });
      if (!isJsonObject(v)) throw new InvalidInputError(`${source} line ${i + 1}: a metrics line must be a JSON object`);
      addLine(out, v, autoStep++, `${source} line ${i + 1}`);
    } catch (e) {
      if (strict || !(e instanceof InvalidInputError)) throw e;
      out.skipped.count++;
      out.skipped.firstLine ??= i + 1;
    }
  }
  for (const s of Object.values(out.series)) if (s.time && s.time.length !== s.step.length) delete s.time;
  return out;
}

function addLine(out: MetricLines, line: JsonObject, autoStep: number, where: string): void {
  const m = parseMetricLine(line, where);
  for (const [k, kind] of m.ignored) if (!out.ignored.has(k)) out.ignored.set(k, kind);
  if (m.final) {
    out.final = m.metrics;
    return;
  }
  const s = m.step ?? autoStep;
  for (const [key, value] of m.flat) {
    const series = (out.series[key] ??= { step: [], value: [] });
    series.step.push(s);
    series.value.push(value);
    if (m.time !== undefined) (series.time ??= []).push(m.time);
  }
}

/** One metrics line taken apart: its step and time, and its metrics nested and flattened. */
export interface MetricLine {
  step: number | undefined;
  time: number | string | undefined;
  final: boolean;
  /** The numbers of the line, nested as written (booleans as 0/1; text and lists left out). */
  metrics: JsonObject;
  flat: [string, number | null][];
  /** Keys of the line that are not metrics: key path -> what it is ("text", "a list"). */
  ignored: [string, string][];
}

/**
 * Every number of the line is kept: booleans count as 0/1 (as W&B logs them), text and
 * lists are left out and named in `ignored`, so a `"phase": "train"` never costs the
 * line its `loss`. Throws InvalidInputError only when `step` is not a number.
 */
export function parseMetricLine(line: JsonObject, where: string): MetricLine {
  const { step, time, final, ...rest } = line;
  if (step !== undefined && typeof step !== "number") throw new InvalidInputError(`${where}: "step" must be a number`);
  const ignored: [string, string][] = [];
  const flat: [string, number | null][] = [];
  const metrics = numbersOf(rest, "", flat, ignored);
  return {
    step: typeof step === "number" ? step : undefined,
    time: typeof time === "number" || typeof time === "string" ? time : undefined,
    final: final === true,
    metrics,
    flat,
    ignored,
  };
}

function numbersOf(obj: JsonObject, prefix: string, flat: [string, number | null][], ignored: [string, string][]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const n = typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "bigint" ? Number(v) : v;
    if (typeof n === "number" || n === null) {
      out[k] = n;
      flat.push([key, n]);
    } else if (isJsonObject(n)) {
      const inner = numbersOf(n, key, flat, ignored);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else ignored.push([key, Array.isArray(n) ? "a list" : "text"]);
  }
  return out;
}

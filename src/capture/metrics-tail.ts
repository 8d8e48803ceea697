import { open, type FileHandle } from "node:fs/promises";
import { InvalidInputError } from "../core/errors.js";
import type { Series } from "../core/experiment.js";
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from "../core/json.js";
import { parseMetricLine } from "./load.js";
import { isMediaValue, type MediaLog } from "./media-log.js";

export interface MetricsLimits {
  /** Points kept per series; past it the series is thinned evenly (the last point is always kept). */
  maxPoints: number;
  /** Distinct metrics kept; lines that bring more are counted as skipped. */
  maxSeries: number;
  /** A line longer than this is skipped without being held in memory. */
  maxLineBytes: number;
}

export const DEFAULT_METRICS_LIMITS: MetricsLimits = { maxPoints: 10_000, maxSeries: 1_000, maxLineBytes: 1 << 20 };

/** What the metrics file said, folded; memory stays bounded however large the file grows. */
export interface MetricsSummary {
  series: Record<string, Series>;
  /** The last value of every metric, nested as the child wrote it. */
  last: JsonObject;
  /** The metrics of the last `"final": true` line. */
  final: JsonObject | undefined;
  lines: number;
  bytes: number;
  skipped: { count: number; firstLine: number | undefined };
  /** Series that were thinned to stay under maxPoints: metric -> points seen. */
  thinned: Record<string, number>;
  /** Keys that were not metrics (text, lists), each once: key path -> what it is. */
  ignored: Map<string, string>;
  /** Images the lines logged, by tree path (media/<key>/<step>.<ext>), and what was refused. */
  media: { files: Record<string, Uint8Array>; warnings: string[] };
}

/** experiment.json's `metrics_log`: how much the log said and what was skipped or thinned. */
export function metricsLogMeta(m: MetricsSummary): JsonObject {
  const out: JsonObject = { lines: m.lines, bytes: m.bytes };
  if (m.skipped.count) {
    out["skipped_lines"] = m.skipped.count;
    out["first_skipped_line"] = m.skipped.firstLine!;
  }
  if (Object.keys(m.thinned).length) out["thinned"] = m.thinned;
  return out;
}

/** What a user is told about a metrics log: lines skipped, keys that were not metrics. */
export function warnMetrics(m: MetricsSummary, warn: (text: string) => void): void {
  if (m.skipped.count > 0) {
    warn(`${m.skipped.count} metrics line(s) were not JSON objects and were skipped (first at line ${m.skipped.firstLine})`);
  }
  for (const [key, kind] of m.ignored) warn(`${JSON.stringify(key)} is ${kind}: not a metric`);
}

/** One series kept under a number of points: evenly thinned, its last point always kept. */
export class Thinned {
  readonly step: number[] = [];
  readonly value: (number | null)[] = [];
  readonly time: (number | string)[] = [];
  seen = 0;
  stride = 1;
  allTimed = true;
  last: { step: number; value: number | null; time: number | string | undefined } | undefined;

  constructor(private readonly max: number) {}

  push(step: number, value: number | null, time: number | string | undefined): void {
    if (time === undefined) this.allTimed = false;
    this.last = { step, value, time };
    if (this.seen++ % this.stride !== 0) return;
    this.step.push(step);
    this.value.push(value);
    this.time.push(time ?? 0);
    if (this.step.length >= this.max) this.halve();
  }

  private halve(): void {
    for (const a of [this.step, this.value, this.time] as unknown[][]) {
      let j = 0;
      for (let i = 0; i < a.length; i += 2) a[j++] = a[i];
      a.length = j;
    }
    this.stride *= 2;
  }

  toSeries(): Series {
    const s: Series = { step: [...this.step], value: [...this.value] };
    const time = [...this.time];
    if (this.last && (this.seen - 1) % this.stride !== 0) {
      s.step.push(this.last.step);
      s.value.push(this.last.value);
      time.push(this.last.time ?? 0);
    }
    if (this.allTimed) s.time = time;
    return s;
  }
}

/**
 * Follows the JSON-lines file a child appends metrics to: `poll()` while it runs (for the
 * status line), `finish()` once it has exited. Lines that are not JSON objects of numbers
 * are skipped and counted, with the first line number, so the run is still recorded;
 * text fields of a line are left out (named once each) and its numbers kept.
 */
export class MetricsTail {
  private handle: FileHandle | undefined;
  private offset = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overlong = false;
  private lineNo = 0;
  private autoStep = 0;
  private readonly series = new Map<string, Thinned>();
  private readonly last: JsonObject = {};
  private final: JsonObject | undefined;
  private readonly skipped: { count: number; firstLine: number | undefined } = { count: 0, firstLine: undefined };
  private readonly ignored = new Map<string, string>();
  /** The latest value of each metric, flattened: what the status line shows. */
  readonly latest = new Map<string, number | null>();
  latestStep: number | undefined;

  constructor(
    readonly path: string,
    private readonly limits: MetricsLimits = DEFAULT_METRICS_LIMITS,
    /** Where media values go; without one (a reader that only looks) they are left out. */
    private readonly media?: MediaLog,
  ) {}

  /** Read what was appended since the last call; true when new metrics arrived. */
  async poll(): Promise<boolean> {
    if (!this.handle) {
      try {
        this.handle = await open(this.path, "r");
      } catch {
        return false; // the child has not written anything yet
      }
    }
    const before = this.lineNo;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.consume(buf.subarray(0, bytesRead));
    }
    return this.lineNo !== before;
  }

  /** Lines read so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** The series so far, without ending the tail: a dashboard shows them growing. */
  snapshot(): Record<string, Series> {
    const out: Record<string, Series> = {};
    for (const [k, t] of this.series) out[k] = t.toSeries();
    return out;
  }

  /** Stop following the file without summing up (a reader that only looks). */
  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Read to the end, take an unterminated last line as a line, and close. */
  async finish(): Promise<MetricsSummary> {
    await this.poll();
    if (this.carryBytes > 0 || this.overlong) this.endLine(Buffer.concat(this.carry));
    await this.handle?.close();
    this.handle = undefined;
    const series: Record<string, Series> = {};
    const thinned: Record<string, number> = {};
    for (const [k, t] of this.series) {
      series[k] = t.toSeries();
      if (t.stride > 1) thinned[k] = t.seen;
    }
    const media = { files: this.media?.files ?? {}, warnings: this.media?.warnings() ?? [] };
    return { series, last: this.last, final: this.final, lines: this.lineNo, bytes: this.offset, skipped: this.skipped, thinned, media, ignored: this.ignored };
  }

  private consume(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      this.endLine(this.carryBytes ? Buffer.concat([...this.carry, piece]) : piece);
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (this.overlong || this.carryBytes + rest.length > this.limits.maxLineBytes) {
      this.overlong = true;
      this.carry = [];
      this.carryBytes = 0;
    } else {
      this.carry.push(Buffer.from(rest));
      this.carryBytes += rest.length;
    }
  }

  private endLine(bytes: Buffer): void {
    this.lineNo++;
    const overlong = this.overlong || bytes.length > this.limits.maxLineBytes;
    this.carry = [];
    this.carryBytes = 0;
    this.overlong = false;
    const text = overlong ? "" : bytes.toString("utf8").trim();
    if (!overlong && text === "") return;
    try {
      if (overlong) throw new InvalidInputError("line too long");
      this.addLine(parseJson(text, { allowNonFinite: true }));
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      this.skipped.count++;
      this.skipped.firstLine ??= this.lineNo;
    }
  }

  private addLine(v: JsonValue): void {
    if (!isJsonObject(v)) throw new InvalidInputError("a metrics line must be a JSON object");
    const mediaStep = typeof v["step"] === "number" ? v["step"] : this.autoStep;
    const line = this.media ? this.media.take(v, mediaStep) : Object.fromEntries(Object.entries(v).filter(([, x]) => !isMediaValue(x)));
    const m = parseMetricLine(line, `line ${this.lineNo}`);
    for (const [k, kind] of m.ignored) if (!this.ignored.has(k) && this.ignored.size < 100) this.ignored.set(k, kind);
    const fresh = m.flat.filter(([k]) => !this.series.has(k)).length;
    if (!m.final && this.series.size + fresh > this.limits.maxSeries) throw new InvalidInputError("too many metrics");
    const step = m.step ?? this.autoStep;
    this.autoStep++;
    if (m.final) {
      this.final = m.metrics;
      return;
    }
    for (const [key, value] of m.flat) {
      let t = this.series.get(key);
      if (!t) this.series.set(key, (t = new Thinned(this.limits.maxPoints)));
      t.push(step, value, m.time);
      this.latest.set(key, value);
    }
    this.latestStep = step;
    mergeInto(this.last, m.metrics);
  }
}

function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (isJsonObject(v) && isJsonObject(cur)) mergeInto(cur, v);
    else target[k] = isJsonObject(v) ? structuredClone(v) : v;
  }
}

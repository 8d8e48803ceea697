import { appendFileSync, readFileSync } from "node:fs";

/**
 * The child's side of `git exp run`, for TypeScript and JavaScript training code. It
 * imports nothing but node:fs, so a training script pays nothing for it. Outside
 * `git exp run` (no GIT_EXP_METRICS) logging does nothing, so the same script runs anywhere.
 */
export type Metrics = { [key: string]: number | null | Metrics };

export interface LogOptions {
  step?: number;
  /** These are the final results, not one more point of each series. */
  final?: boolean;
}

/** Append one metrics line: `logMetrics({loss: 0.41, val: {acc: 0.88}}, {step: 10})`. */
export function logMetrics(metrics: Metrics, options: LogOptions = {}, environ: NodeJS.ProcessEnv = process.env): boolean {
  const file = environ["GIT_EXP_METRICS"];
  if (!file) return false;
  const line: Record<string, unknown> = { ...metrics };
  if (options.step !== undefined) line["step"] = options.step;
  if (options.final) line["final"] = true;
  // One synchronous append per line: lines stay whole and in order even if the process dies.
  appendFileSync(file, metricsLine(line) + "\n");
  return true;
}

/** The parameters of this run, as `git exp run` wrote them; `{}` outside a run. */
export function readConfig<T = Record<string, unknown>>(environ: NodeJS.ProcessEnv = process.env): T {
  const file = environ["GIT_EXP_CONFIG"];
  return (file ? JSON.parse(readFileSync(file, "utf8")) : {}) as T;
}

/** JSON, except that NaN and infinities are written as the tokens Python's json writes. */
function metricsLine(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${metricsLine(x)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

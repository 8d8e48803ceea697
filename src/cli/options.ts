import type { Argv } from "yargs";
import type { Selection } from "../api/ls.js";
import { UsageError } from "../core/errors.js";
import { isIdPrefix } from "../core/ids.js";
import type { OutputFormat } from "../report/format.js";

/** Shared options as typed builders, so every command spells them the same way. */
export function withJson<T>(y: Argv<T>) {
  return y.option("json", { type: "boolean", describe: "print JSON on stdout" });
}

export function withFormat<T>(y: Argv<T>) {
  return withJson(y).option("format", {
    type: "string",
    choices: ["table", "json", "csv", "md"] as const,
    describe: "output format",
  });
}

/** What withFormat declares. */
export interface FormatArgs {
  json?: boolean | undefined;
  format?: OutputFormat | undefined;
}

export function outputFormat(args: FormatArgs): OutputFormat {
  const format = args.format;
  if (args.json) {
    if (format !== undefined && format !== "json") throw new UsageError(`--json and --format ${format} ask for two formats: give one`);
    return "json";
  }
  return format ?? "table";
}

export function strings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function optString(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * A count as typed: digits only, and exactly representable (1e100 and 99999999999999999999
 * are refused, not passed on to become an overflow in SQL); NaN for anything else.
 */
function wholeNumber(v: unknown): number {
  const text = String(v).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? n : NaN;
}

export function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = wholeNumber(v);
  if (!(n > 0)) throw new UsageError(`--${name} takes a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, not ${String(v)}`);
  return n;
}

/** A count where 0 means "no limit": undefined for 0 (and for an absent option). */
export function limitOrAll(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = wholeNumber(v);
  if (!(n >= 0)) throw new UsageError(`--${name} takes a whole number up to ${Number.MAX_SAFE_INTEGER} (0 for all), not ${String(v)}`);
  return n === 0 ? undefined : n;
}

/** yargs reads a lone "-" positional as "" (or true): both mean stdin here. */
export function fileOrDash(v: unknown): string | undefined {
  if (v === "-" || v === "" || v === true) return "-";
  return v === undefined ? undefined : String(v);
}

/** A number option (yargs number parsing is off so ids stay strings). */
export function optNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (String(v).trim() === "" || Number.isNaN(n)) throw new UsageError(`--${name} takes a number, not ${JSON.stringify(String(v))}`);
  return n;
}

/** --minimize / --maximize: which way is better for metrics whose names do not say. */
export function withDirections<T>(y: Argv<T>) {
  return y
    .option("minimize", { type: "string", array: true, describe: "metric where lower is better (repeatable; losses, errors and times are by default)" })
    .option("maximize", { type: "string", array: true, describe: "metric where higher is better (repeatable)" });
}

export function directionHints(args: { minimize?: string[] | undefined; maximize?: string[] | undefined }): { minimize: string[]; maximize: string[] } {
  return { minimize: strings(args.minimize), maximize: strings(args.maximize) };
}

/** --tolerance / --rtol: when two metric values count as the same. */
export function withTolerance<T>(y: Argv<T>) {
  return y
    .option("tolerance", { type: "string", describe: "absolute tolerance for metrics (default 1e-6)" })
    .option("rtol", { type: "string", describe: "relative tolerance for metrics, such as 0.01 (default 0)" });
}

export function tolerance(args: { tolerance?: string | undefined; rtol?: string | undefined }): { atol?: number; rtol?: number } {
  return { atol: optNumber(args.tolerance, "tolerance"), rtol: optNumber(args.rtol, "rtol") };
}

/** Which experiments: the options ls, top and trend share. */
export function withSelection<T>(y: Argv<T>) {
  return y
    .option("where", { alias: "w", type: "string", describe: "filter, e.g. \"params.lr < 0.01 and metrics.acc >= 0.9 or tags.baseline\"" })
    .option("tag", { type: "string", array: true, describe: "only experiments with this tag (repeatable: all of them)" })
    .option("since", { type: "string", describe: "only experiments created since a span (7d, 12h, 2w) or a date (2026-01-31)" })
    .option("branch", { type: "string", describe: "only experiments recorded on this branch" })
    .option("status", { type: "string", describe: "only experiments with this status (completed, failed, interrupted; comma-separated)" })
    .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" });
}

/** A filter and --sweep: `vs` is stats' second filter. */
export interface WhereArgs {
  where?: string | undefined;
  vs?: string | undefined;
  sweep?: string | undefined;
}

/**
 * A filter with --sweep ID folded in: `sweep.id like 'ID%'` and the filter given. `key` is
 * the option holding the filter (stats has two). Undefined when neither is given.
 */
export function whereWithSweep(args: WhereArgs, key: "where" | "vs" = "where"): string | undefined {
  const where = optString(args[key]);
  const sweep = optString(args.sweep);
  if (sweep === undefined) return where;
  if (!isIdPrefix(sweep.trim())) throw new UsageError(`--sweep ${sweep}: give a study's id or its first 4 or more characters (git exp sweeps lists them)`);
  const bySweep = `sweep.id like '${sweep.trim().toLowerCase()}%'`;
  return where === undefined ? bySweep : `(${where}) and ${bySweep}`;
}

/** What withSelection declares. */
export interface SelectionArgs extends WhereArgs {
  tag?: string[] | undefined;
  since?: string | undefined;
  branch?: string | undefined;
  status?: string | undefined;
}

export function selectionOf(args: SelectionArgs): Selection {
  return {
    where: whereWithSweep(args),
    tags: strings(args.tag),
    since: optString(args.since),
    branch: optString(args.branch),
    status: optString(args.status),
  };
}

import type { Argv } from "yargs";
import { UsageError } from "../core/errors.js";
import type { OutputFormat } from "../report/format.js";

/** Shared options as typed builders, so every command spells them the same way. */
export function withJson(y: Argv): Argv {
  return y.option("json", { type: "boolean", describe: "print JSON on stdout" });
}

export function withFormat(y: Argv): Argv {
  return withJson(y).option("format", {
    type: "string",
    choices: ["table", "json", "csv", "md"],
    describe: "output format",
  });
}

export function outputFormat(args: Record<string, unknown>): OutputFormat {
  if (args["json"]) return "json";
  return (args["format"] as OutputFormat | undefined) ?? "table";
}

export function strings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function optString(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

export function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} takes a whole number above 0, not ${String(v)}`);
  return n;
}

/** yargs reads a lone "-" positional as "" (or true): both mean stdin here. */
export function fileOrDash(v: unknown): string | undefined {
  if (v === "-" || v === "" || v === true) return "-";
  return v === undefined ? undefined : String(v);
}

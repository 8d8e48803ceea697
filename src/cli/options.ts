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

/** Which experiments: the options ls, top and trend share. */
export function withSelection(y: Argv): Argv {
  return y
    .option("where", { alias: "w", type: "string", describe: "filter, e.g. \"params.lr < 0.01 and metrics.acc >= 0.9 or tags.baseline\"" })
    .option("tag", { type: "string", array: true, describe: "only experiments with this tag (repeatable: all of them)" })
    .option("since", { type: "string", describe: "only experiments created since a span (7d, 12h, 2w) or a date (2026-01-31)" })
    .option("branch", { type: "string", describe: "only experiments recorded on this branch" })
    .option("status", { type: "string", describe: "only experiments with this status (completed, failed, interrupted; comma-separated)" });
}

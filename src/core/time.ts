import { InvalidInputError } from "./errors.js";

/**
 * Parse a date the way users give GIT_AUTHOR_DATE: `@1700000000 +0000`, `1700000000 +0100`,
 * ISO 8601 / RFC 3339, or RFC 2822. Returns epoch milliseconds.
 */
export function parseGitDate(text: string, what = "GIT_AUTHOR_DATE"): number {
  const raw = text.trim();
  const epoch = /^@?(\d+)(?:\.(\d{1,3})\d*)?(?:\s+[+-]\d{4})?$/.exec(raw);
  if (epoch) {
    const ms = epoch[2] ? Number(epoch[2].padEnd(3, "0")) : 0;
    return Number(epoch[1]) * 1000 + ms;
  }
  // git's own ISO form puts a space before the zone: 2026-01-10T10:00:00 +0000
  const iso = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+([+-]\d{2}):?(\d{2})$/.exec(raw);
  const ms = Date.parse(iso ? `${iso[1]!.replace(" ", "T")}${iso[2]}:${iso[3]}` : raw);
  if (Number.isNaN(ms)) {
    throw new InvalidInputError(
      `${what}=${JSON.stringify(text)} is not a date git understands; use '@<epoch seconds> +0000' or ISO 8601 such as 2026-11-23T10:00:00Z`,
    );
  }
  return ms;
}

/** RFC 3339 UTC with milliseconds: the only form `created_at` takes. */
export function formatCreatedAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whole seconds, rounded down, for the commit's author and committer dates. */
export function commitSeconds(createdAt: string): number {
  return Math.floor(Date.parse(createdAt) / 1000);
}

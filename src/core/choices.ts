/** The choices that several layers and the CLI's options name: one list each. */
import { UsageError } from "./errors.js";

/** What top (and the dashboard's leaderboard) may group by: repeats of a config, a name, a branch, a commit. */
export const GROUPINGS = ["config", "name", "branch", "commit"] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** A grouping named by a user (`--by`, the dashboard's `by`), checked before anything runs. */
export function checkGrouping(by: string | undefined): Grouping | undefined {
  if (by === undefined) return undefined;
  if (!(GROUPINGS as readonly string[]).includes(by)) throw new UsageError(`group by one of ${GROUPINGS.join(", ")}, not ${by}`);
  return by as Grouping;
}

/** trend's time buckets (UTC). */
export const BUCKETS = ["day", "week", "month"] as const;
export type Bucket = (typeof BUCKETS)[number];

/**
 * Which way is better for a metric. Two spellings of one idea, both in JSON output that
 * users read: top and trend rank by "max" or "min" (their `--max`/`--min`), compare, stats,
 * report and check say "higher" or "lower". The functions below are the only conversions.
 */
const DIRECTIONS = ["max", "min"] as const;
export type Direction = (typeof DIRECTIONS)[number];
export type Better = "higher" | "lower";

export function betterOf(direction: Direction): Better {
  return direction === "max" ? "higher" : "lower";
}

export function directionOf(better: Better): Direction {
  return better === "higher" ? "max" : "min";
}

/** A direction named by a library caller, checked: undefined lets the metric's name decide. */
export function checkDirection(d: Direction | undefined): Direction | undefined {
  if (d !== undefined && !DIRECTIONS.includes(d)) throw new UsageError(`direction ${String(d)}: use max or min`);
  return d;
}

/** The choices that several layers and the CLI's options name: one list each. */

/** What top (and the dashboard's leaderboard) may group by: repeats of a config, a name, a branch, a commit. */
export const GROUPINGS = ["config", "name", "branch", "commit"] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** trend's time buckets (UTC). */
export const BUCKETS = ["day", "week", "month"] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Which way is better for a ranked metric: "max" (higher) or "min" (lower). */
export type Direction = "max" | "min";

/** Which way is better for a metric, as compare, stats and report say it. */
export type Better = "higher" | "lower";

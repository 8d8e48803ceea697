/** What `trend` answers: a metric over time buckets or along a branch. */
import type { Bucket, Direction } from "./choices.js";

/** One time bucket, or one commit with --along. */
export interface TrendPoint {
  /** Start of the bucket (ISO 8601, UTC), or the commit's date with --along. */
  at: string;
  commit?: string;
  subject?: string;
  count: number;
  min: number;
  mean: number;
  max: number;
  best: number;
  best_id: string;
  best_name: string | null;
}

export interface Trend {
  metric: string;
  direction: Direction;
  guessed: boolean;
  every: Bucket | null;
  along: string | null;
  points: TrendPoint[];
}

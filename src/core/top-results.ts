/** What `top` answers: the leaderboard of a metric, by run or by group. */
import type { Direction, Grouping } from "./choices.js";

export interface TopRow {
  rank: number;
  id: string;
  name: string | null;
  value: number;
  created_at: string;
  branch: string | null;
  source_commit: string | null;
  config_hash: string;
}

export interface TopGroup {
  rank: number;
  /** The config hash, name, branch or commit; null for experiments without one. */
  group: string | null;
  count: number;
  mean: number;
  /** Sample standard deviation; null for a single run. */
  std: number | null;
  best: number;
  best_id: string;
  best_name: string | null;
  /** With --by config: the config's params. */
  params?: Record<string, unknown>;
}

export interface Leaderboard {
  metric: string;
  direction: Direction;
  /** True when the direction was guessed from the metric's name. */
  guessed: boolean;
  by: Grouping | null;
  rows: TopRow[];
  groups: TopGroup[];
}

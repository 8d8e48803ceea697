/** What `report` answers: the overview of a repository's experiments. */
import type { Entry } from "./catalog-entry.js";
import type { Better } from "./choices.js";

/** One run's history of a metric; null y is a missing or NaN value. */
export interface Curve {
  label: string;
  points: { x: number; y: number | null }[];
  /** A group of repeats: its band at each x (mean ± std, or min to max). */
  band?: { x: number; lo: number; hi: number }[];
}

/** A system metric of one run over its time: seconds since the run started, and the values. */
export interface SystemSeries {
  metric: string;
  points: [number, number | null][];
}

export interface Overview {
  metric: string;
  /** Why the metric was chosen when none was asked for: a validation metric, or the most common. */
  chosen?: "validation" | "most common";
  better: Better;
  total: number;
  leaderboard: Entry[];
  /** Params whose value differs between the experiments: the ones worth a column. */
  varying: string[];
  curves: Curve[];
  curveMetric: string | null;
  trend: { branch: string; points: { commit: string; value: number; id: string }[] };
  /** The best run's system metrics over time and the last image of each media key it logged. */
  best: { id: string; name: string | null; system: SystemSeries[]; media: { key: string; step: number; type: string; data: Uint8Array }[] } | null;
}

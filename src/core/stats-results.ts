/** What `stats` answers: two groups of runs compared metric by metric. */
import type { Better } from "./choices.js";

/** n, mean, sample standard deviation and the 95% confidence interval of the mean. */
export interface Summary {
  n: number;
  mean: number | null;
  /** null with fewer than two values: one run has no variance. */
  std: number | null;
  ci95: [number, number] | null;
}

export interface TestResult {
  /** mean(B) - mean(A), and its 95% confidence interval (Welch). */
  diff: number;
  ci95: [number, number];
  t: number;
  /** Welch-Satterthwaite degrees of freedom (fractional). */
  df: number;
  p: number;
}

export type StatsVerdict = "b-better" | "a-better" | "no-difference" | "untestable";

export interface MetricStats {
  metric: string;
  direction: Better;
  a: Summary;
  b: Summary;
  /** Non-finite values (diverged runs) left out of the figures, per side. */
  excluded: { a: number; b: number };
  /** mean(B) - mean(A) when both sides have a value. */
  diff: number | null;
  /** null when no test is possible (a side with one run, no variance at all). */
  test: TestResult | null;
  verdict: StatsVerdict;
  /** The verdict in words, or why nothing can be concluded. */
  reason: string;
}

export interface StatsReport {
  a: { label: string; ids: string[] };
  b: { label: string; ids: string[] };
  alpha: number;
  /** Runs in both groups: the test assumes independent samples, so they are reported. */
  shared: string[];
  metrics: MetricStats[];
}

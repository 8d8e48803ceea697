import { NotFoundError, UsageError } from "../core/errors.js";
import type { Group } from "./groups.js";
import { metricDirection, type DirectionHints } from "./metric-direction.js";
import { differenceOfMeans, mean, tCritical, variance, welchTest } from "./welch.js";
import type { Summary, TestResult, StatsVerdict, MetricStats, StatsReport } from "../core/stats-results.js";

export interface StatsOptions extends DirectionHints {
  /** Significance level of the test (default 0.05). */
  alpha?: number;
}

export function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha takes a level between 0 and 1 (such as 0.05), not ${alpha}`);
}

export function summarize(xs: number[]): Summary {
  if (xs.length === 0) return { n: 0, mean: null, std: null, ci95: null };
  const m = mean(xs);
  if (xs.length < 2) return { n: 1, mean: m, std: null, ci95: null };
  const std = Math.sqrt(variance(xs));
  const half = tCritical(0.05, xs.length - 1) * (std / Math.sqrt(xs.length));
  return { n: xs.length, mean: m, std, ci95: [m - half, m + half] };
}

/** Welch's t-test of B against A with the confidence interval of the difference. */
export function testDifference(a: number[], b: number[]): TestResult | null {
  const w = welchTest(a, b);
  if (!w) return null;
  const se = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
  const half = tCritical(0.05, w.df) * se;
  return { diff: w.diff, ci95: [w.diff - half, w.diff + half], t: w.t, df: w.df, p: w.p };
}

/** Per metric: each group's n, mean, std and 95% CI, and Welch's t-test of B against A. */
export function compareGroups(a: Group, b: Group, options: StatsOptions = {}): StatsReport {
  const alpha = options.alpha ?? 0.05;
  checkAlpha(alpha);
  for (const g of [a, b]) if (g.entries.length === 0) throw new NotFoundError(`${g.label} has no runs`);
  const names = [...new Set([a, b].flatMap((g) => g.entries.flatMap((e) => Object.keys(e.metrics))))].sort();
  const inB = new Set(b.entries.map((e) => e.id));
  return {
    a: { label: a.label, ids: a.entries.map((e) => e.id) },
    b: { label: b.label, ids: b.entries.map((e) => e.id) },
    alpha,
    shared: a.entries.filter((e) => inB.has(e.id)).map((e) => e.id),
    metrics: names.map((m) => metricStats(m, values(a, m), values(b, m), alpha, options)),
  };
}

function values(g: Group, metric: string): (number | null)[] {
  return g.entries.filter((e) => metric in e.metrics).map((e) => e.metrics[metric]!);
}

function metricStats(metric: string, rawA: (number | null)[], rawB: (number | null)[], alpha: number, hints: DirectionHints): MetricStats {
  const finite = (xs: (number | null)[]): number[] => xs.filter((v): v is number => v !== null && Number.isFinite(v));
  const [xa, xb] = [finite(rawA), finite(rawB)];
  const a = summarize(xa);
  const b = summarize(xb);
  const s = {
    metric,
    direction: metricDirection(metric, hints),
    a,
    b,
    excluded: { a: rawA.length - xa.length, b: rawB.length - xb.length },
    diff: a.mean !== null && b.mean !== null ? differenceOfMeans(a.mean, b.mean) : null,
    test: testDifference(xa, xb),
  };
  return { ...s, ...judge(s, alpha) };
}

function judge(s: Omit<MetricStats, "verdict" | "reason">, alpha: number): { verdict: StatsVerdict; reason: string } {
  const untestable = (reason: string): { verdict: StatsVerdict; reason: string } => ({ verdict: "untestable", reason });
  if (s.a.n === 0 && s.b.n === 0) return untestable("no finite value on either side");
  if (s.a.n === 0 || s.b.n === 0) return untestable(`only ${s.a.n === 0 ? "B" : "A"} has a value for this metric`);
  if (s.a.n < 2 || s.b.n < 2) {
    const one = s.a.n < 2 && s.b.n < 2 ? "A and B have" : `${s.a.n < 2 ? "A" : "B"} has`;
    return untestable(`${one} one run: no variance to test against; run it again to get repeats`);
  }
  if (!s.test) {
    return s.diff === 0
      ? { verdict: "no-difference", reason: "every run on both sides gave the same value" }
      : untestable("every run gave the same value within each group (no variance), so no test is possible");
  }
  if (!(s.test.p < alpha)) return { verdict: "no-difference", reason: `no significant difference at alpha ${alpha}` };
  const bWins = s.test.diff > 0 === (s.direction === "higher");
  return {
    verdict: bWins ? "b-better" : "a-better",
    reason: `${bWins ? "B beats A" : "A beats B"} at alpha ${alpha} (${s.direction} is better)`,
  };
}

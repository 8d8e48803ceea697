import { NotFoundError, UsageError } from "../core/errors.js";
import { flattenMetrics } from "../core/experiment.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Group } from "./groups.js";
import { metricDirection, type Direction, type DirectionHints } from "./metric-direction.js";
import { summarizeValues, welchTest, type Summary, type WelchResult } from "./welch.js";

export interface StatsOptions extends DirectionHints {
  /** Significance level of the test (default 0.05). */
  alpha?: number;
}

export type StatsVerdict = "b-better" | "a-better" | "no-difference" | "untestable";

export interface MetricStats {
  metric: string;
  direction: Direction;
  a: Summary;
  b: Summary;
  /** Non-finite values (diverged runs) left out of the figures, per side. */
  excluded: { a: number; b: number };
  /** mean(b) - mean(a), or null when a side has no value. */
  diff: number | null;
  test: WelchResult | null;
  verdict: StatsVerdict;
  /** The verdict in words: what a reader should conclude, or why nothing can be concluded. */
  reason: string;
}

export interface GroupInfo {
  label: string;
  ids: string[];
}

export interface StatsReport {
  a: GroupInfo;
  b: GroupInfo;
  alpha: number;
  /** Runs in both groups: the test assumes independent samples, so they are reported. */
  shared: string[];
  metrics: MetricStats[];
}

export function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha takes a level between 0 and 1 (such as 0.05), not ${alpha}`);
}

/** Per metric: each group's n, mean, std and 95% CI, and Welch's t-test of B against A. */
export async function compareGroups(store: ExperimentStore, a: Group, b: Group, options: StatsOptions = {}): Promise<StatsReport> {
  const alpha = options.alpha ?? 0.05;
  checkAlpha(alpha);
  for (const g of [a, b]) if (g.ids.length === 0) throw new NotFoundError(`${g.label} has no runs`);
  const [va, vb] = [await metricValues(store, a.ids), await metricValues(store, b.ids)];
  const names = [...new Set([...va.keys(), ...vb.keys()])].sort();
  const inB = new Set(b.ids);
  return {
    a: { label: a.label, ids: a.ids },
    b: { label: b.label, ids: b.ids },
    alpha,
    shared: a.ids.filter((id) => inB.has(id)),
    metrics: names.map((m) => metricStats(m, va.get(m) ?? [], vb.get(m) ?? [], alpha, options)),
  };
}

async function metricValues(store: ExperimentStore, ids: string[]): Promise<Map<string, (number | null)[]>> {
  const out = new Map<string, (number | null)[]>();
  let failure: Error | undefined;
  await store.readMany(ids, (_id, r) => {
    if (r instanceof Error) failure ??= r;
    else for (const [k, v] of flattenMetrics(r.results)) (out.get(k) ?? out.set(k, []).get(k)!).push(v);
  });
  if (failure) throw failure;
  return out;
}

function finite(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

function metricStats(metric: string, rawA: (number | null)[], rawB: (number | null)[], alpha: number, hints: DirectionHints): MetricStats {
  const [xa, xb] = [finite(rawA), finite(rawB)];
  const a = summarizeValues(xa);
  const b = summarizeValues(xb);
  const direction = metricDirection(metric, hints);
  const test = welchTest(xa, xb);
  const diff = a.mean !== null && b.mean !== null ? b.mean - a.mean : null;
  const base = { metric, direction, a, b, excluded: { a: rawA.length - xa.length, b: rawB.length - xb.length }, diff, test };
  return { ...base, ...judge(base, alpha) };
}

function judge(s: Omit<MetricStats, "verdict" | "reason">, alpha: number): { verdict: StatsVerdict; reason: string } {
  const untestable = (reason: string): { verdict: StatsVerdict; reason: string } => ({ verdict: "untestable", reason });
  if (s.a.n === 0 || s.b.n === 0) return untestable(`only ${s.a.n === 0 ? "B" : "A"} has this metric`);
  if (s.a.n < 2 || s.b.n < 2) {
    const one = [s.a.n < 2 ? "A" : "", s.b.n < 2 ? "B" : ""].filter(Boolean).join(" and ");
    return untestable(`${one} ${one.includes("and") ? "have" : "has"} one run: no variance to test against; run it again`);
  }
  if (!s.test) {
    return s.diff === 0
      ? { verdict: "no-difference", reason: "every run of both gave the same value" }
      : untestable("no variance in either group (every run gave the same value), so no test is possible");
  }
  const better = s.direction === "higher" ? "higher" : "lower";
  if (s.test.p >= alpha) {
    return { verdict: "no-difference", reason: `no significant difference at alpha ${alpha}` };
  }
  const bWins = (s.test.diff > 0) === (s.direction === "higher");
  return {
    verdict: bWins ? "b-better" : "a-better",
    reason: `${bWins ? "B beats A" : "A beats B"} at alpha ${alpha} (${better} is better)`,
  };
}

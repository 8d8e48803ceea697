import type { MetricStats, StatsReport, Summary } from "../core/stats-results.js";
import { formatNumber, renderCsv, renderJson, renderMarkdown, type OutputFormat, type Row } from "./format.js";

function interval(ci: [number, number] | null): string {
  return ci ? `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : "";
}

function pValue(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : formatNumber(Number(p.toPrecision(3)));
}

function side(s: Summary): { n: number; mean: string; std: string; ci: string } {
  return {
    n: s.n,
    mean: s.mean === null ? "" : formatNumber(s.mean),
    std: s.std === null ? "n/a" : formatNumber(s.std),
    ci: s.ci95 ? interval(s.ci95) : "n/a",
  };
}

function row(m: MetricStats): Row {
  const [a, b] = [side(m.a), side(m.b)];
  return {
    metric: m.metric,
    "n A": a.n,
    "mean A": a.mean,
    "std A": a.std,
    "95% CI A": a.ci,
    "n B": b.n,
    "mean B": b.mean,
    "std B": b.std,
    "95% CI B": b.ci,
    "B - A": m.diff === null ? "" : formatNumber(m.diff),
    "95% CI B - A": m.test ? interval(m.test.ci95) : "",
    // No test, no number: a NaN dressed as a p-value would mislead.
    p: m.test ? pValue(m.test.p) : "n/a",
    verdict: m.reason,
  };
}

const COLUMNS = ["metric", "n A", "mean A", "std A", "95% CI A", "n B", "mean B", "std B", "95% CI B", "B - A", "95% CI B - A", "p", "verdict"];

/** `git exp stats`: per metric figures for both groups, Welch's test, and a verdict in words. */
export function renderStats(r: StatsReport, format: OutputFormat): string {
  if (format === "json") return renderJson(r);
  const rows = r.metrics.map(row);
  if (format === "csv") return renderCsv(COLUMNS, rows);
  if (format === "md") return renderMarkdown(COLUMNS, rows);
  const lines = [
    `A: ${r.a.label} (${r.a.ids.length} run${r.a.ids.length === 1 ? "" : "s"})`,
    `B: ${r.b.label} (${r.b.ids.length} run${r.b.ids.length === 1 ? "" : "s"})`,
    `Welch's t-test, two-sided, alpha ${r.alpha}; 95% confidence intervals`,
  ];
  if (sameRuns(r)) lines.push("", "A and B are the same runs: no differences");
  for (const m of r.metrics) lines.push("", ...metricBlock(m));
  return lines.join("\n") + "\n";
}

/** One metric as a short block: a wide table would be cut on a terminal. */
function metricBlock(m: MetricStats): string[] {
  const line = (label: string, s: Summary): string => {
    const x = side(s);
    return s.n === 0 ? `  ${label}  no value` : `  ${label}  n ${x.n}  mean ${x.mean}  std ${x.std}  95% CI ${x.ci}`;
  };
  const out = [`${m.metric} (${m.direction} is better)`, line("A", m.a), line("B", m.b)];
  if (m.test) {
    const t = m.test;
    out.push(`  B - A  ${formatNumber(t.diff)}  95% CI ${interval(t.ci95)}  t ${formatNumber(t.t)}  df ${formatNumber(Number(t.df.toPrecision(4)))}  p ${pValue(t.p)}`);
  } else if (m.diff !== null) out.push(`  B - A  ${formatNumber(m.diff)}  p n/a`);
  out.push(`  => ${m.reason}${excluded(m)}`);
  return out;
}

function excluded(m: MetricStats): string {
  const n = m.excluded.a + m.excluded.b;
  return n > 0 ? `; ${n} non-finite value${n === 1 ? "" : "s"} (NaN, inf) left out` : "";
}

function sameRuns(r: StatsReport): boolean {
  return r.shared.length === r.a.ids.length && r.a.ids.length === r.b.ids.length;
}

/** Warnings for stderr. */
export function statsWarnings(r: StatsReport): string[] {
  const out: string[] = [];
  if (r.shared.length > 0 && !sameRuns(r)) out.push(`${r.shared.length} run(s) are in both groups; the test assumes independent samples`);
  if (r.metrics.length === 0) out.push("neither group has any metric");
  return out;
}

import type { MetricStats, StatsReport, Summary } from "../analysis/stats.js";
import { formatNumber, renderCsv, renderJson, renderMarkdown, renderTable, type OutputFormat, type Row } from "./format.js";

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
export function renderStats(r: StatsReport, format: OutputFormat, width = 100): string {
  if (format === "json") return renderJson(r);
  const rows = r.metrics.map(row);
  if (format === "csv") return renderCsv(COLUMNS, rows);
  if (format === "md") return renderMarkdown(COLUMNS, rows);
  const head = [
    `A: ${r.a.label} (${r.a.ids.length} run${r.a.ids.length === 1 ? "" : "s"})`,
    `B: ${r.b.label} (${r.b.ids.length} run${r.b.ids.length === 1 ? "" : "s"})`,
    `Welch's t-test, two-sided, alpha ${r.alpha}; 95% confidence intervals`,
    "",
  ];
  const words = r.metrics.map((m) => `  ${m.metric}: ${m.reason}${m.test ? ` (p = ${pValue(m.test.p)})` : ""}${excluded(m)}`);
  if (sameRuns(r)) words.unshift("  A and B are the same runs: no differences");
  return [...head, renderTable(COLUMNS.slice(0, -1), rows, width).trimEnd(), "", "verdict:", ...words].join("\n") + "\n";
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

import type { CheckReport, RuleResult } from "../core/check-results.js";
import { formatNumber, renderTable } from "./format.js";
import { lineChartSvg } from "./svg-chart.js";
import { shortId } from "../core/ids.js";
import { sparkline } from "./sparkline.js";

/** A pull request comment holds 65,536 characters; stay well under it. */
const MAX_REPORT_BYTES = 64 * 1024 - 1024;

function num(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : formatNumber(v);
}

function signed(v: number | null): string {
  if (v === null) return "–";
  return (v > 0 ? "+" : "") + formatNumber(v);
}

function short(ids: string[]): string {
  if (ids.length === 0) return "none";
  const shown = ids.slice(0, 20).map((i) => `\`${i.slice(0, 10)}\``);
  return shown.join(", ") + (ids.length > 20 ? ` and ${ids.length - 20} more` : "");
}

function verdictLine(r: CheckReport): string {
  if (r.missing) return `⚠️ **git exp check: nothing to compare** — ${r.missing}`;
  const failed = r.results.filter((x) => !x.pass).length;
  if (failed > 0) return `❌ **git exp check failed**: ${failed} of ${r.results.length} rules broken`;
  return `✅ **git exp check passed**: ${r.results.length} rules hold`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const RULE_COLUMNS = ["result", "rule", "base", "head", "delta", "limit", "note"];

/** One rule's cells, as both the Markdown and the terminal table show them. */
function ruleCells(x: RuleResult, markdown: boolean): string[] {
  const limit = x.limit === null ? "–" : `${x.rule.max !== undefined || x.rule.max_rise !== undefined || x.rule.max_rise_pct !== undefined ? "≤" : "≥"} ${formatNumber(x.limit)}`;
  // A relative rule without a base value held nothing: say skipped, not pass.
  const outcome = !x.pass ? "fail" : x.skipped ? "skipped" : "pass";
  const mark = markdown ? `${!x.pass ? "❌" : x.skipped ? "⏭️" : "✅"} ` : "";
  const repeats = x.nBase === 1 ? "1 run" : `${x.nBase} repeats`;
  const note = x.note ?? (x.baseKind === "same-config mean" ? `base: mean of ${repeats} of the same config` : "");
  return [mark + outcome, markdown ? `\`${x.label}\`` : x.label, num(x.base), num(x.head), signed(x.delta), limit, note];
}

function ruleRow(x: RuleResult): string {
  return `| ${ruleCells(x, true).map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
}

/** The Markdown a reviewer reads: verdict, rule table, charts, and what was compared. */
export function checkMarkdown(r: CheckReport): string {
  const out = [verdictLine(r), ""];
  if (r.results.length > 0) {
    out.push(`| ${RULE_COLUMNS.join(" | ")} |`, `| ${RULE_COLUMNS.map(() => "---").join(" | ")} |`, ...r.results.map(ruleRow), "");
  }
  out.push(
    `**Head**: \`${shortId(r.head.commit)}\` (${r.head.ref}), ${plural(r.head.experiments.length, "experiment")}: ${short(r.head.experiments)}`,
    "",
    `**Base**: ${r.base.experimentCommit ? `\`${shortId(r.base.experimentCommit)}\`` : "none"} on the history of ${r.base.ref} (merge base \`${shortId(r.base.commit)}\`), ${plural(r.base.experiments.length, "experiment")}: ${short(r.base.experiments)}`,
    "",
  );
  for (const n of r.notes) out.push(`> ${n}`, "");
  const text = out.join("\n");
  const charts = chartSection(r);
  return Buffer.byteLength(text + charts) <= MAX_REPORT_BYTES ? text + charts : text + sparkSection(r);
}

/**
 * The same report for a terminal: the verdict, the rule table and sparklines of the trends,
 * without Markdown marks or base64 images.
 */
export function checkText(r: CheckReport, width = 100): string {
  const out = [verdictLine(r).replace(/\*\*/g, "").replace(/^\S+ /u, ""), ""];
  if (r.results.length > 0) {
    const rows = r.results.map((x) => Object.fromEntries(ruleCells(x, false).map((c, i) => [RULE_COLUMNS[i]!, c])));
    out.push(renderTable(RULE_COLUMNS, rows, width));
  }
  const ids = (list: string[]): string => short(list).replace(/`/g, "");
  out.push(`Head: ${shortId(r.head.commit)} (${r.head.ref}), ${plural(r.head.experiments.length, "experiment")}: ${ids(r.head.experiments)}`);
  out.push(
    `Base: ${r.base.experimentCommit ? shortId(r.base.experimentCommit) : "none"} on the history of ${r.base.ref} (merge base ${shortId(r.base.commit)}), ${plural(r.base.experiments.length, "experiment")}: ${ids(r.base.experiments)}`,
  );
  for (const n of r.notes) out.push(`note: ${n}`);
  const trends = Object.entries(r.trends).filter(([, pts]) => pts.length > 0);
  if (trends.length) out.push("", "Trends:");
  for (const [m, pts] of trends) out.push(`  ${m} along ${r.base.ref}: ${sparkline(pts.map((p) => p.value))} (last ${num(pts[pts.length - 1]!.value)}; head ${num(headValue(r, m))})`);
  return out.join("\n") + "\n";
}

function headValue(r: CheckReport, metric: string): number | null {
  return r.results.find((x) => x.rule.metric === metric)?.head ?? null;
}

function sparkSection(r: CheckReport): string {
  const lines = Object.entries(r.trends)
    .filter(([, pts]) => pts.length > 0)
    .map(([m, pts]) => `- \`${m}\` along ${r.base.ref}: ${sparkline(pts.map((p) => p.value))} (last ${num(pts[pts.length - 1]!.value)}; head ${num(headValue(r, m))})`);
  return lines.length ? ["### Trends", "", ...lines, ""].join("\n") : "";
}

function chartSection(r: CheckReport): string {
  const parts = [sparkSection(r)];
  for (const [metric, pts] of Object.entries(r.trends)) {
    if (pts.length === 0) continue;
    const head = headValue(r, metric);
    const x = pts.length;
    const svg = lineChartSvg([{ label: `${metric} on ${r.base.ref}`, points: pts.map((p, i) => ({ x: i, y: p.value })) }], {
      title: `${metric} along ${r.base.ref}`,
      xLabel: "commits with experiments (oldest → newest)",
      integerX: true,
      yLabel: metric,
      width: 480,
      height: 240,
      markers: head !== null && Number.isFinite(head) ? [{ x, y: head, label: "head" }] : [],
    });
    parts.push(`<details><summary>${metric} chart</summary>\n\n<img alt="${metric} along ${r.base.ref}, head marked" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}">\n\n</details>\n`);
  }
  return parts.join("\n");
}

/** `::error` lines for GitHub Actions, at most 10. */
export function githubAnnotations(r: CheckReport): string[] {
  const esc = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const lines = r.results
    .filter((x) => !x.pass)
    .slice(0, 10)
    .map((x) => `::error title=git exp check: ${esc(x.label).replace(/[:,]/g, " ")}::${esc(`${x.label} failed: head ${num(x.head)}, base ${num(x.base)}, limit ${num(x.limit)}${x.note ? ` (${x.note})` : ""}`)}`);
  if (r.missing) lines.push(`::error title=git exp check::${esc(r.missing)}`);
  return lines;
}

import type { Overview } from "../core/overview-results.js";
import type { JsonValue } from "../core/json.js";
import { formatNumber, renderMarkdown, type Row } from "./format.js";
import { htmlPage } from "./html.js";
import { parallelCoordinatesSvg } from "./parallel-coords.js";
import { escapeXml, lineChartSvg } from "./svg-chart.js";

function paramCell(v: JsonValue | undefined): string | number | null {
  if (v === undefined) return null;
  if (typeof v === "number" || typeof v === "string") return v;
  // A 64-bit seed reads as its digits, not as a quoted string.
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v);
}

function leaderboardRows(o: Overview): { columns: string[]; rows: Row[] } {
  const params = o.varying.slice(0, 8);
  const columns = ["#", "id", "name", o.metric, ...params.map((p) => `params.${p}`), "created"];
  const rows = o.leaderboard.map((e, i) => {
    const row: Row = { "#": i + 1, id: e.id.slice(0, 10), name: e.name ?? "", [o.metric]: e.metrics[o.metric] ?? null, created: e.createdAt.slice(0, 16).replace("T", " ") };
    for (const p of params) row[`params.${p}`] = paramCell(e.params[p]);
    return row;
  });
  return { columns, rows };
}

/** The three charts of a report, as SVG strings (empty when there is nothing to draw). */
function charts(o: Overview): { parallel: string; curves: string; trend: string } {
  const axes = [...o.varying.slice(0, 8), o.metric];
  const parallel =
    o.varying.length > 0
      ? parallelCoordinatesSvg(
          axes,
          o.leaderboard.map((e) => ({ label: e.name ?? e.id.slice(0, 10), values: [...o.varying.slice(0, 8).map((p) => paramCell(e.params[p])), e.metrics[o.metric] ?? null] })),
          { title: `params against ${o.metric}` },
        )
      : "";
  const curves = o.curves.length ? lineChartSvg(o.curves, { title: `${o.curveMetric} of the top runs`, xLabel: "step", yLabel: o.curveMetric ?? "" }) : "";
  const trend = o.trend.points.length
    ? lineChartSvg([{ label: `best ${o.metric} per commit`, points: o.trend.points.map((p, i) => ({ x: i, y: p.value })) }], {
        title: `${o.metric} along ${o.trend.branch}`,
        xLabel: "commits with experiments (oldest → newest)",
        integerX: true,
        yLabel: o.metric,
        // x is the commit's position: name whole positions by the commit, leave fractions blank
        formatX: (x) => (Number.isInteger(x) ? (o.trend.points[x]?.commit.slice(0, 7) ?? "") : ""),
      })
    : "";
  return { parallel, curves, trend };
}

/** The best run's system metrics, one small chart each, against seconds since it started. */
function systemCharts(o: Overview): string[] {
  return (o.best?.system ?? []).map((s) =>
    lineChartSvg([{ label: s.metric, points: s.points.map(([x, y]) => ({ x, y })) }], { title: s.metric, xLabel: "seconds since the run started", yLabel: s.metric.slice("system/".length), width: 420, height: 220 }),
  );
}

function bestName(o: Overview): string {
  return o.best ? (o.best.name ?? o.best.id.slice(0, 10)) : "";
}

/** The last image of each key the best run logged, embedded. */
function mediaImages(o: Overview): string[] {
  return (o.best?.media ?? []).map(
    (m) => `<figure><img alt="${escapeXml(`${m.key} at step ${m.step}`)}" src="data:${m.type};base64,${Buffer.from(m.data).toString("base64")}" style="max-width:360px"><figcaption>${escapeXml(m.key)}, step ${m.step}</figcaption></figure>`,
  );
}

function summary(o: Overview): string {
  return `${o.total} experiments; ranked by ${o.metric} (${o.better} is better); ${o.varying.length} params vary.`;
}

export function overviewHtml(o: Overview): string {
  const { columns, rows } = leaderboardRows(o);
  const c = charts(o);
  const table = [
    "<table><thead><tr>",
    ...columns.map((h) => `<th>${escapeXml(h)}</th>`),
    "</tr></thead><tbody>",
    ...rows.map((r) => `<tr>${columns.map((h) => `<td${typeof r[h] === "number" ? ' class="num"' : ""}>${escapeXml(typeof r[h] === "number" ? formatNumber(r[h] as number) : String(r[h] ?? ""))}</td>`).join("")}</tr>`),
    "</tbody></table>",
  ].join("");
  const section = (title: string, svg: string, empty: string): string => `<h2>${title}</h2>${svg || `<p class="muted">${empty}</p>`}`;
  return htmlPage(
    "git exp report",
    [
      `<h1>Experiments report</h1><p class="muted">${escapeXml(summary(o))}</p>`,
      `<h2>Leaderboard</h2>${table}`,
      section("Params against the metric", c.parallel, "no param varies between these experiments"),
      section("Learning curves of the top runs", c.curves, "the top runs recorded no metric series"),
      section(`Trend along ${escapeXml(o.trend.branch)}`, c.trend, "no experiment was run on a commit of this branch"),
      ...(o.best?.system.length ? [`<h2>System metrics of the best run (${escapeXml(bestName(o))})</h2>${systemCharts(o).join("\n")}`] : []),
      ...(o.best?.media.length ? [`<h2>Media of the best run (${escapeXml(bestName(o))})</h2>${mediaImages(o).join("\n")}`] : []),
    ].join("\n"),
  );
}

export function overviewMarkdown(o: Overview): string {
  const { columns, rows } = leaderboardRows(o);
  const c = charts(o);
  const img = (alt: string, svg: string): string => (svg ? `<img alt="${escapeXml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}">\n` : `_${alt}: nothing to draw_\n`);
  return [
    "# Experiments report",
    "",
    summary(o),
    "",
    "## Leaderboard",
    "",
    renderMarkdown(columns, rows),
    "## Params against the metric",
    "",
    img("parallel coordinates", c.parallel),
    "## Learning curves of the top runs",
    "",
    img("learning curves", c.curves),
    `## Trend along ${o.trend.branch}`,
    "",
    img("trend", c.trend),
    ...(o.best?.system.length ? [`## System metrics of the best run (${bestName(o)})`, "", ...systemCharts(o).map((svg, i) => img(o.best!.system[i]!.metric, svg))] : []),
    ...(o.best?.media.length ? [`## Media of the best run (${bestName(o)})`, "", ...mediaImages(o).map((f) => f + "\n")] : []),
  ].join("\n");
}

import type { ChartSeries } from "./svg-chart.js";
import { formatNumber } from "./format.js";

const MARKS = ["*", "+", "o", "x", "#", "@", "%", "&", "=", "~"];

/**
 * A line chart in plain characters for a terminal: one mark per series, y labels on the
 * left, the x range below, a legend. Fits `width` columns.
 */
export function textChart(series: ChartSeries[], options: { width: number; height?: number; logY?: boolean; title?: string }): string {
  const height = options.height ?? 14;
  const logY = options.logY ?? false;
  const tf = (y: number): number => (logY ? Math.log10(y) : y);
  const pts = series.flatMap((s, i) =>
    s.points
      .filter((p) => p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x) && !(logY && p.y <= 0))
      .map((p) => ({ x: p.x, y: tf(p.y!), i })),
  );
  if (pts.length === 0) return "no data to plot\n";
  const [x0, x1] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))];
  const [y0, y1] = [Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  const label = (v: number): string => formatNumber(logY ? 10 ** v : v);
  const labelW = Math.max(label(y0).length, label(y1).length);
  const plotW = Math.max(10, options.width - labelW - 3);
  const grid = Array.from({ length: height }, () => Array<string>(plotW).fill(" "));
  for (const p of pts) {
    const c = x1 === x0 ? 0 : Math.round(((p.x - x0) / (x1 - x0)) * (plotW - 1));
    const r = y1 === y0 ? height - 1 : height - 1 - Math.round(((p.y - y0) / (y1 - y0)) * (height - 1));
    grid[r]![c] = MARKS[p.i % MARKS.length]!;
  }
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  grid.forEach((row, r) => {
    const v = r === 0 ? label(y1) : r === height - 1 ? label(y0) : "";
    lines.push(`${v.padStart(labelW)} |${row.join("").trimEnd()}`);
  });
  lines.push(`${" ".repeat(labelW)} +${"-".repeat(plotW)}`);
  const xl = formatNumber(x0);
  const xr = formatNumber(x1);
  lines.push(`${" ".repeat(labelW + 2)}${xl}${xr.padStart(Math.max(1, plotW - xl.length))}`);
  series.slice(0, MARKS.length).forEach((s, i) => lines.push(`  ${MARKS[i]} ${s.label}`));
  if (series.length > MARKS.length) lines.push(`  (+${series.length - MARKS.length} more series share marks)`);
  return lines.join("\n") + "\n";
}

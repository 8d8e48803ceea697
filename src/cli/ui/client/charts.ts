import type UPlot from "uplot";
import { paletteColour } from "./dom.js";

/** uPlot is loaded by its own script tag (/static/uplot.js, from the installed package), not bundled. */
declare const uPlot: typeof UPlot;

export type Point = [number, number | null];
export interface Line {
  label: string;
  points: Point[];
}

/** Charts on the page by name, so a redraw replaces one instead of stacking another. */
export const charts: Record<string, UPlot> = {};

export function destroyChart(key: string): void {
  const c = charts[key];
  if (c) {
    c.destroy();
    delete charts[key];
  }
}

export function destroyCharts(prefix: string): void {
  for (const k of Object.keys(charts)) if (k.startsWith(prefix)) destroyChart(k);
}

export function newChart(key: string, opts: UPlot.Options, data: UPlot.AlignedData, el: HTMLElement): UPlot {
  const chart = new uPlot(opts, data, el);
  charts[key] = chart;
  return chart;
}

/** Each series keeps its own x values: missing steps are undefined (the line goes on), NaN is null (a gap). */
export function chartData(series: Line[]): UPlot.AlignedData {
  const xs: number[] = [];
  const seen = new Set<number>();
  for (const s of series) for (const p of s.points) if (!seen.has(p[0])) {
    seen.add(p[0]);
    xs.push(p[0]);
  }
  xs.sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null | undefined)[] = new Array<number | null | undefined>(xs.length).fill(undefined);
    for (const p of s.points) y[at.get(p[0])!] = typeof p[1] === "number" && isFinite(p[1]) ? p[1] : null;
    return y;
  });
  return [xs, ...ys];
}

export interface ChartOptions {
  title?: string;
  height?: number;
  maxWidth?: number;
  xLabel?: string;
  yLabel?: string;
  /** Draw anew even when a chart of this name with as many series is there. */
  fresh?: boolean;
}

/** A line chart of a few series, updated in place when one of the same name and shape is there. */
export function drawChart(key: string, el: HTMLElement, series: Line[], o: ChartOptions = {}): void {
  const data = chartData(series);
  const parent = el.parentNode as HTMLElement | null;
  const width = Math.max(320, Math.min(o.maxWidth || 1100, (el.clientWidth || parent?.clientWidth || 900) - 4));
  const existing = charts[key];
  if (existing && existing.series.length === series.length + 1 && !o.fresh) {
    existing.setData(data);
    return;
  }
  destroyChart(key);
  el.innerHTML = "";
  const opts: UPlot.Options = {
    title: o.title,
    width,
    height: o.height || 320,
    scales: { x: { time: false } },
    legend: { live: true },
    axes: [{ label: o.xLabel || "step" }, { label: o.yLabel || "", size: 60 }],
    series: [{ label: o.xLabel || "step" }, ...series.map((s, i) => ({ label: s.label, stroke: paletteColour(i), width: 1.6, spanGaps: false, points: { size: 5 } }))],
  };
  newChart(key, opts, data, el);
}

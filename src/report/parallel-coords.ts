import { escapeXml } from "./svg-chart.js";
import { formatNumber } from "./format.js";

/** One run: its value on each axis (numbers or category text), the metric last. */
export interface ParallelRow {
  label: string;
  values: (number | string | null)[];
}

interface Axis {
  name: string;
  /** Position in [0, 1] of a value on this axis, or null when missing. */
  place: (v: number | string | null) => number | null;
  ticks: { at: number; text: string }[];
}

function numericAxis(name: string, values: number[]): Axis {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const span = hi - lo || 1;
  return {
    name,
    place: (v) => (typeof v === "number" && Number.isFinite(v) ? (v - lo) / span : null),
    ticks: lo === hi ? [{ at: 0, text: formatNumber(lo) }] : [{ at: 0, text: formatNumber(lo) }, { at: 1, text: formatNumber(hi) }],
  };
}

function categoryAxis(name: string, values: string[]): Axis {
  const cats = [...new Set(values)].sort();
  const at = (c: string): number => (cats.length === 1 ? 0.5 : cats.indexOf(c) / (cats.length - 1));
  return {
    name,
    place: (v) => (v === null ? null : cats.includes(String(v)) ? at(String(v)) : null),
    ticks: cats.slice(0, 12).map((c) => ({ at: at(c), text: c.length > 14 ? c.slice(0, 13) + "…" : c })),
  };
}

/** Blue (low) to orange (high): the metric's value, readable without a legend box. */
function colour(t: number): string {
  const a = [78, 121, 167];
  const b = [242, 142, 43];
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * t));
  return `rgb(${c.join(",")})`;
}

/**
 * Parallel coordinates: one vertical axis per param that varies, the metric on the last,
 * one line per run coloured by the metric, so which settings give good runs shows at a glance.
 */
export function parallelCoordinatesSvg(axisNames: string[], rows: ParallelRow[], options: { title?: string; width?: number; height?: number } = {}): string {
  const W = options.width ?? Math.max(480, 120 * axisNames.length);
  const H = options.height ?? 360;
  const pad = { l: 40, r: 40, t: options.title ? 48 : 28, b: 40 };
  const axes = axisNames.map((name, i) => {
    const vals = rows.map((r) => r.values[i]).filter((v): v is number | string => v !== null && v !== undefined);
    const nums = vals.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    return nums.length === vals.length && nums.length > 0 ? numericAxis(name, nums) : categoryAxis(name, vals.map(String));
  });
  const x = (i: number): number => pad.l + (axes.length === 1 ? 0 : (i / (axes.length - 1)) * (W - pad.l - pad.r));
  const y = (t: number): number => pad.t + (1 - t) * (H - pad.t - pad.b);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  if (options.title) out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  const metricAxis = axes[axes.length - 1];
  for (const row of rows) {
    const pts = axes.map((a, i) => [i, a.place(row.values[i] ?? null)] as const).filter(([, t]) => t !== null);
    if (pts.length < 2) continue;
    const m = metricAxis?.place(row.values[axes.length - 1] ?? null);
    const d = pts.map(([i, t], k) => `${k ? "L" : "M"}${x(i).toFixed(1)},${y(t!).toFixed(1)}`).join("");
    out.push(`<path class="run" d="${d}" fill="none" stroke="${m === null || m === undefined ? "#bbb" : colour(m)}" stroke-width="1.4" stroke-opacity="0.8"><title>${escapeXml(row.label)}</title></path>`);
  }
  axes.forEach((a, i) => {
    out.push(`<line class="axis" x1="${x(i)}" y1="${y(0)}" x2="${x(i)}" y2="${y(1)}" stroke="#333"/>`);
    out.push(`<text x="${x(i)}" y="${pad.t - 10}" text-anchor="middle" font-weight="bold">${escapeXml(a.name)}</text>`);
    for (const t of a.ticks) out.push(`<text x="${x(i) + 4}" y="${y(t.at) + 4}" fill="#333">${escapeXml(t.text)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

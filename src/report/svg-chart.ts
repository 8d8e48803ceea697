/**
 * Line charts as standalone SVG: no browser, no script, no external font or stylesheet, so
 * the file renders on GitHub, in a pull request comment and in any viewer.
 */
export interface ChartPoint {
  x: number;
  /** null or NaN leaves a gap in the line (a diverged step), never a broken chart. */
  y: number | null;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  color?: string;
  /** A band drawn under the line (mean ± std, or min to max, of repeats). */
  band?: { x: number; lo: number; hi: number }[];
}

export interface ChartMarker {
  x: number;
  y: number;
  label: string;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  width?: number;
  height?: number;
  /** Points drawn as a labelled dot (e.g. the head's value in a CI report). */
  markers?: ChartMarker[];
  /** Format x tick labels (e.g. as dates); numbers by default. */
  formatX?: (x: number) => string;
  /** x counts things (commits): ticks only at whole numbers. */
  integerX?: boolean;
}

/** The band of a series as one filled polygon: along its tops, back along its bottoms. */
function bandPath(s: ChartSeries, color: string, sx: (x: number) => number, sy: (y: number) => number, logY: boolean): string {
  const ok = (s.band ?? []).filter((b) => Number.isFinite(b.lo) && Number.isFinite(b.hi) && (!logY || b.lo > 0)).sort((a, b) => a.x - b.x);
  if (ok.length === 0) return "";
  const top = ok.map((b) => `${sx(b.x).toFixed(1)},${sy(b.hi).toFixed(1)}`);
  const bottom = ok.reverse().map((b) => `${sx(b.x).toFixed(1)},${sy(b.lo).toFixed(1)}`);
  return `<polygon class="band" data-label="${escapeXml(s.label)}" points="${[...top, ...bottom].join(" ")}" fill="${color}" fill-opacity="0.18" stroke="none"/>`;
}

/** Tableau 10: distinguishable, and readable by most colour-blind viewers. */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(n: number): string {
  if (n === 0) return "0";
  const a = Math.abs(n);
  if (a >= 1e5 || a < 1e-3) return n.toExponential(1);
  return String(Number(n.toPrecision(4)));
}

interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function extent(series: ChartSeries[], markers: ChartMarker[], logY: boolean): Extent | undefined {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number | null): void => {
    if (y === null || !Number.isFinite(y) || !Number.isFinite(x) || (logY && y <= 0)) return;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  for (const s of series) for (const p of s.points) add(p.x, p.y);
  for (const s of series) for (const b of s.band ?? []) (add(b.x, b.lo), add(b.x, b.hi));
  for (const m of markers) add(m.x, m.y);
  if (x0 === Infinity) return undefined;
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = logY ? [y0 / 2, y1 * 2] : [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
  return { x0, x1, y0, y1 };
}

/** A line chart with axes, ticks, a legend, and one <path> per series. */
export function lineChartSvg(series: ChartSeries[], options: ChartOptions = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 360;
  const logY = options.logY ?? false;
  const legendRows = Math.min(new Set(series.map((s) => s.label)).size, 12);
  const pad = { l: 64, r: 16, t: options.title ? 32 : 12, b: 44 + (legendRows > 0 ? 16 * Math.ceil(legendRows / 3) : 0) };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  if (options.title) out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  const ext = extent(series, options.markers ?? [], logY);
  const pw = W - pad.l - pad.r;
  const ph = H - pad.t - pad.b;
  if (!ext) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#666">no data to plot</text>`, "</svg>");
    return out.join("\n") + "\n";
  }
  const ty = (y: number): number => (logY ? Math.log10(y) : y);
  const [ly0, ly1] = [ty(ext.y0), ty(ext.y1)];
  const sx = (x: number): number => pad.l + ((x - ext.x0) / (ext.x1 - ext.x0)) * pw;
  const sy = (y: number): number => pad.t + ph - ((ty(y) - ly0) / (ly1 - ly0)) * ph;
  out.push(...axes(ext, options, { W, H, pad, pw, ph, sx, sy, logY }));
  const colours = colourMap(series);
  series.forEach((s) => s.band && out.push(bandPath(s, colours.get(s)!, sx, sy, logY)));
  series.forEach((s) => out.push(seriesPath(s, colours.get(s)!, sx, sy, logY)));
  for (const m of options.markers ?? []) {
    if (!Number.isFinite(m.y) || (logY && m.y <= 0)) continue;
    const [cx, cy] = [sx(m.x).toFixed(1), sy(m.y).toFixed(1)];
    out.push(`<circle cx="${cx}" cy="${cy}" r="5" fill="#e15759" stroke="#000" stroke-width="1"/>`);
    out.push(`<text x="${cx}" y="${Number(cy) - 8}" text-anchor="middle" font-weight="bold">${escapeXml(m.label)}</text>`);
  }
  out.push(...legend(series, colours, { W, H, pad }));
  out.push("</svg>");
  return out.join("\n") + "\n";
}

interface Frame {
  W: number;
  H: number;
  pad: { l: number; r: number; t: number; b: number };
  pw: number;
  ph: number;
  sx: (x: number) => number;
  sy: (y: number) => number;
  logY: boolean;
}

function axes(ext: Extent, options: ChartOptions, f: Frame): string[] {
  const out: string[] = [];
  const bottom = f.pad.t + f.ph;
  out.push(`<g class="axes" stroke="#333" stroke-width="1">`);
  out.push(`<line x1="${f.pad.l}" y1="${bottom}" x2="${f.pad.l + f.pw}" y2="${bottom}"/>`);
  out.push(`<line x1="${f.pad.l}" y1="${f.pad.t}" x2="${f.pad.l}" y2="${bottom}"/>`);
  out.push(`</g>`);
  const fx = options.formatX ?? tickLabel;
  for (const t of niceTicks(ext.x0, ext.x1, 6).filter((t) => !options.integerX || Number.isInteger(t))) {
    const x = f.sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#333">${escapeXml(fx(t))}</text>`);
  }
  const yTicks = f.logY
    ? niceTicks(Math.floor(Math.log10(ext.y0)), Math.ceil(Math.log10(ext.y1)), 5).filter(Number.isInteger).map((e) => 10 ** e)
    : niceTicks(ext.y0, ext.y1, 5);
  for (const t of yTicks) {
    if (t < ext.y0 * (1 - 1e-9) || t > ext.y1 * (1 + 1e-9)) continue;
    const y = f.sy(t).toFixed(1);
    out.push(`<line x1="${f.pad.l}" y1="${y}" x2="${f.pad.l + f.pw}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f.pad.l - 6}" y="${Number(y) + 4}" text-anchor="end" fill="#333">${tickLabel(t)}</text>`);
  }
  if (options.xLabel) out.push(`<text x="${f.pad.l + f.pw / 2}" y="${bottom + 32}" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) {
    out.push(`<text transform="translate(14 ${f.pad.t + f.ph / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(options.yLabel)}${f.logY ? " (log)" : ""}</text>`);
  }
  return out;
}

/**
 * One path per series; a missing value starts a new sub-path, leaving a visible gap. A point
 * with a gap (or nothing) on both sides has no line to lie on, so it is drawn as a dot.
 */
function seriesPath(s: ChartSeries, color: string, sx: (x: number) => number, sy: (y: number) => number, logY: boolean): string {
  const sorted = [...s.points].sort((a, b) => a.x - b.x);
  const ok = sorted.map((p) => p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x) && !(logY && p.y <= 0));
  let d = "";
  const dots: string[] = [];
  sorted.forEach((p, i) => {
    if (!ok[i]) return;
    const [x, y] = [sx(p.x).toFixed(1), sy(p.y!).toFixed(1)];
    d += `${ok[i - 1] ? "L" : "M"}${x},${y}`;
    if (!ok[i - 1] && !ok[i + 1]) dots.push(`<circle class="point" cx="${x}" cy="${y}" r="2.5" fill="${color}"/>`);
  });
  const path = `<path class="series" data-label="${escapeXml(s.label)}" d="${d || "M0,0"}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><title>${escapeXml(s.label)}</title></path>`;
  return [path, ...dots].join("\n");
}

/** Runs with the same label (say the same learning rate) share a colour and a legend entry. */
function colourMap(series: ChartSeries[]): Map<ChartSeries, string> {
  const byLabel = new Map<string, string>();
  const out = new Map<ChartSeries, string>();
  for (const s of series) {
    if (!byLabel.has(s.label)) byLabel.set(s.label, s.color ?? PALETTE[byLabel.size % PALETTE.length]!);
    out.set(s, s.color ?? byLabel.get(s.label)!);
  }
  return out;
}

function legend(series: ChartSeries[], colours: Map<ChartSeries, string>, f: { W: number; H: number; pad: { l: number; b: number } }): string[] {
  const seen = new Set<string>();
  const unique = series.filter((s) => !seen.has(s.label) && seen.add(s.label));
  const shown = unique.slice(0, 12);
  const colW = (f.W - f.pad.l) / 3;
  const out = shown.map((s, i) => {
    const x = f.pad.l + (i % 3) * colW;
    const y = f.H - f.pad.b + 50 + Math.floor(i / 3) * 16;
    const color = colours.get(s)!;
    const label = s.label.length > 34 ? s.label.slice(0, 33) + "…" : s.label;
    return `<rect x="${x}" y="${y - 8}" width="12" height="3" fill="${color}"/><text x="${x + 16}" y="${y - 4}" fill="#333">${escapeXml(label)}</text>`;
  });
  if (unique.length > shown.length) out.push(`<text x="${f.W - 8}" y="${f.H - 4}" text-anchor="end" fill="#666">+${unique.length - shown.length} more</text>`);
  return out;
}

/** Exponential moving average, as TensorBoard's smoothing slider; gaps stay gaps. */
export function smooth(points: ChartPoint[], weight: number): ChartPoint[] {
  if (weight <= 0) return points;
  let last: number | undefined;
  return points.map((p) => {
    if (p.y === null || !Number.isFinite(p.y)) return p;
    last = last === undefined ? p.y : last * weight + (1 - weight) * p.y;
    return { x: p.x, y: last };
  });
}

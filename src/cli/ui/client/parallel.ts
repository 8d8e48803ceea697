import type { RunMatrix } from "../../../api/dashboard.js";
import { allKeys, axisScale, colourRamp, defaultAxes, keyOptions, minMax, type MatrixColumn, type Scale } from "./axes.js";
import { $, api, errorBox, esc, fmt, maybe } from "./dom.js";
import { loadRuns } from "./runs.js";
import { state } from "./state.js";
import { saveHash } from "./url-state.js";

/** The matrix last fetched, so a resize or a brush repaints without asking again. */
let pcData: RunMatrix | null = null;

/** Parallel coordinates of the filtered runs: one request for the values, one canvas for the lines. */
export function drawParallel(): Promise<void> | void {
  const t0 = performance.now();
  let axes = state.axes || defaultAxes();
  const box = $("view");
  if (axes.length < 2) axes = allKeys().slice(0, 2);
  if (axes.length < 2) {
    box.innerHTML = errorBox("parallel coordinates need two params or metrics");
    return;
  }
  box.innerHTML =
    '<div class="bar"><h3>Parallel coordinates</h3><span class="muted" id="pc-info"></span><span class="spacer"></span>add axis <select id="pc-add">' + keyOptions("", "choose…") + "</select></div>" +
    '<div id="pc" class="pc"><canvas id="pc-canvas"></canvas></div><p class="muted">drag along an axis to keep the runs in a range (the table follows); click an axis to clear it</p>';
  const shown = axes;
  $<HTMLSelectElement>("pc-add").onchange = (e) => {
    const key = (e.target as HTMLSelectElement).value;
    if (key && !shown.includes(key)) {
      state.axes = shown.concat([key]);
      saveHash();
      void drawParallel();
    }
  };
  // Lines need no links to their runs: without ids the answer is half the size.
  return api<RunMatrix>("/api/matrix", { where: state.where, keys: axes.join(","), ids: "0" }).then((res) => {
    if (state.view !== "parallel") return;
    if (res.error) {
      $("pc").innerHTML = errorBox(res.error.message);
      return;
    }
    const t1 = performance.now();
    pcData = res;
    paintParallel();
    const t2 = performance.now();
    // Read by npm run bench ui: how long the first paint took, from the page's start.
    window.__pcTiming = { runs: res.count, fetchMs: t1 - t0, drawMs: t2 - t1, totalMs: t2 - t0, sinceStartMs: t2 };
    $("pc").dataset["painted"] = String(res.count);
  });
}

/** Draw the lines and the axes of the fetched matrix, with the axis filters as they are now. */
export function paintParallel(): void {
  const res = pcData;
  const pc = maybe("pc");
  if (!res || !pc) return;
  const cols = res.columns;
  const n = cols.length;
  const W = Math.max(480, pc.clientWidth || 900);
  const H = 320;
  const top = 34;
  const bottom = 22;
  const pad = 60;
  const canvas = $<HTMLCanvasElement>("pc-canvas");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = W * ratio;
  canvas.height = H * ratio;
  canvas.style.width = W + "px";
  canvas.style.height = H + "px";
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, W, H);
  const xs = cols.map((_c, i) => pad + (i * (W - 2 * pad)) / (n - 1));
  const scales = cols.map(axisScale);
  const h = H - top - bottom;
  const colourBy = cols[n - 1]!;
  const cr = minMax(colourBy.values);
  let kept = 0;
  const inBrush = (r: number): boolean => {
    for (let i = 0; i < n; i++) {
      const b = state.brush[cols[i]!.key];
      if (!b) continue;
      const v = cols[i]!.values[r];
      if (v === null || v === undefined) return false;
      if (b.cats ? !b.cats.includes(String(v)) : typeof v === "number" && (v < b.lo! || v > b.hi!)) return false;
    }
    return true;
  };
  const addLine = (r: number): void => {
    let pen = false;
    for (let i = 0; i < n; i++) {
      const p = scales[i]!.pos(cols[i]!.values[r]!);
      if (p === null || p === undefined) {
        pen = false;
        continue;
      }
      const y = top + (1 - p) * h;
      if (pen) g.lineTo(xs[i]!, y);
      else g.moveTo(xs[i]!, y);
      pen = true;
    }
  };
  const rows = res.count;
  const alpha = rows > 2000 ? 0.18 : rows > 300 ? 0.4 : 0.8;
  const brushed = Object.keys(state.brush).length > 0;
  // Lines go into 17 paths, one a colour (16 steps of the ramp, grey for no value), each
  // stroked once: 10,000 runs are 17 strokes, not 10,000.
  const BANDS = 16;
  const faded: number[] = [];
  const bands: number[][] = [];
  for (let k = 0; k <= BANDS; k++) bands.push([]);
  const band = (r: number): number => {
    const c = colourBy.values[r];
    return typeof c === "number" ? Math.min(BANDS - 1, Math.floor(((c - cr[0]) / (cr[1] - cr[0] || 1)) * BANDS)) : BANDS;
  };
  for (let r = 0; r < rows; r++) {
    if (brushed && !inBrush(r)) faded.push(r);
    else {
      bands[band(r)]!.push(r);
      kept++;
    }
  }
  const strokeAll = (list: number[], style: string): void => {
    if (!list.length) return;
    g.strokeStyle = style;
    g.beginPath();
    for (const r of list) addLine(r);
    g.stroke();
  };
  g.lineWidth = 1;
  strokeAll(faded, "rgba(160,166,175,0.15)");
  const a = brushed ? Math.max(alpha, 0.6) : alpha;
  bands.forEach((list, k) => strokeAll(list, k === BANDS ? "rgba(120,126,135," + a + ")" : colourRamp((k + 0.5) / BANDS).replace("rgb", "rgba").replace(")", "," + a + ")")));
  $("pc-info").textContent = (res.total > res.count ? "the newest " + res.count + " of " + res.total : res.count) + " runs" + (brushed ? ", " + kept + " inside the axis filters" : "") + "; colour: " + colourBy.key;
  // axes as elements over the canvas: labels, ends, the brush, and the mouse
  pc.querySelectorAll(".pc-axis").forEach((el) => el.remove());
  cols.forEach((c, i) => pc.appendChild(axisElement(c, scales[i]!, xs[i]!, top, h)));
}

function axisElement(c: MatrixColumn, s: Scale, x: number, top: number, h: number): HTMLElement {
  const a = document.createElement("div");
  a.className = "pc-axis";
  a.dataset["key"] = c.key;
  a.style.left = x - 12 + "px";
  a.style.top = top + "px";
  a.style.height = h + "px";
  const topText = s.kind === "category" ? s.cats[s.cats.length - 1] : fmt(s.hi);
  const lowText = s.kind === "category" ? s.cats[0] : fmt(s.lo);
  a.innerHTML =
    '<div class="pc-label" title="' + esc(c.key) + '">' + esc(c.key.replace(/^(params|metrics)\./, "")) + ' <button class="pc-remove" title="remove this axis">×</button></div>' +
    '<div class="pc-end pc-hi">' + esc(topText == null ? "" : topText) + '</div><div class="pc-end pc-lo">' + esc(lowText == null ? "" : lowText) + "</div>";
  const b = state.brush[c.key];
  if (b) {
    let p1: number;
    let p2: number;
    if (b.cats) {
      const ps = b.cats.map((v) => s.pos(v)).filter((v): v is number => v != null);
      p1 = Math.min(...ps);
      p2 = Math.max(...ps);
    } else {
      p1 = s.pos(b.lo ?? null) ?? 0;
      p2 = s.pos(b.hi ?? null) ?? 1;
    }
    const d = document.createElement("div");
    d.className = "pc-brush";
    d.style.top = (1 - Math.min(1, p2)) * h - 3 + "px";
    d.style.height = Math.max(0, Math.min(1, p2) - Math.max(0, p1)) * h + 6 + "px";
    a.appendChild(d);
  }
  a.addEventListener("mousedown", (e) => {
    if (!(e.target as HTMLElement).closest(".pc-remove")) startBrush(e, a, c, s, h);
  });
  a.querySelector<HTMLButtonElement>(".pc-remove")!.onclick = () => {
    state.axes = (state.axes || defaultAxes()).filter((k) => k !== c.key);
    delete state.brush[c.key];
    saveHash();
    void drawParallel();
    void loadRuns();
  };
  return a;
}

/** Drag along an axis: a range of numbers, or the categories it covers; a click clears the axis. */
function startBrush(e: MouseEvent, axis: HTMLElement, col: MatrixColumn, scale: Scale, h: number): void {
  e.preventDefault();
  const box = axis.getBoundingClientRect();
  const y0 = e.clientY - box.top;
  const live = document.createElement("div");
  live.className = "pc-brush";
  axis.appendChild(live);
  const move = (ev: MouseEvent): void => {
    const y = Math.max(0, Math.min(h, ev.clientY - box.top));
    live.style.top = Math.min(y, y0) + "px";
    live.style.height = Math.abs(y - y0) + "px";
  };
  const up = (ev: MouseEvent): void => {
    document.removeEventListener("mousemove", move);
    document.removeEventListener("mouseup", up);
    const y1 = Math.max(0, Math.min(h, ev.clientY - box.top));
    if (Math.abs(y1 - y0) < 4) delete state.brush[col.key];
    else {
      // A drag that starts or ends within a few pixels of an axis end takes in that end's value.
      const a = Math.max(y0, y1) >= h - 4 ? 0 : 1 - Math.max(y0, y1) / h;
      const b = Math.min(y0, y1) <= 4 ? 1 : 1 - Math.min(y0, y1) / h;
      if (scale.kind === "category") {
        const cats = scale.cats.filter((c) => {
          const p = scale.pos(c)!;
          return p >= a - 1e-9 && p <= b + 1e-9;
        });
        if (cats.length) state.brush[col.key] = { cats };
        else delete state.brush[col.key];
      } else state.brush[col.key] = { lo: a === 0 ? scale.lo : Number(scale.value(a).toPrecision(6)), hi: b === 1 ? scale.hi : Number(scale.value(b).toPrecision(6)) };
    }
    state.offset = 0;
    saveHash();
    paintParallel();
    void loadRuns();
  };
  document.addEventListener("mousemove", move);
  document.addEventListener("mouseup", up);
}

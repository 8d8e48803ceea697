import type { RunMatrix } from "../../../api/dashboard.js";
import { allKeys, axisScale, colourRamp, defaultAxes, keyOptions, minMax, type MatrixColumn, type Scale } from "./axes.js";
import { $, api, errorBox, esc, fmt, paletteColour } from "./dom.js";
import { effectiveWhere } from "./filter-text.js";
import { state } from "./state.js";
import { saveHash } from "./url-state.js";

function niceStep(span: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(span / 5 || 1)));
  const m = span / 5 / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/** One param or metric against another, as SVG: every point is a link to its run. */
export function drawScatter(): Promise<void> | void {
  const box = $("view");
  const keys = allKeys();
  const d = defaultAxes();
  const x = state.sx || d[0] || keys[0] || "";
  const y = state.sy || d[d.length - 1] || keys[1] || "";
  const c = state.sc;
  box.innerHTML =
    '<div class="bar"><h3>Scatter</h3> x <select id="sc-x">' + keyOptions(x) + '</select> y <select id="sc-y">' + keyOptions(y) + '</select> colour by <select id="sc-c">' +
    keyOptions(c, "nothing") + '</select><span class="muted" id="sc-info"></span></div><div id="scatter"></div><p class="muted">click a point to open its run</p>';
  for (const id of ["sc-x", "sc-y", "sc-c"]) {
    $<HTMLSelectElement>(id).onchange = () => {
      state.sx = $<HTMLSelectElement>("sc-x").value;
      state.sy = $<HTMLSelectElement>("sc-y").value;
      state.sc = $<HTMLSelectElement>("sc-c").value;
      saveHash();
      void drawScatter();
    };
  }
  if (!x || !y) {
    $("scatter").innerHTML = errorBox("no params or metrics recorded yet");
    return;
  }
  return api<RunMatrix>("/api/matrix", { where: effectiveWhere(), keys: [x, y].concat(c ? [c] : []).join(",") }).then((res) => {
    if (state.view !== "scatter") return;
    if (res.error) {
      $("scatter").innerHTML = errorBox(res.error.message);
      return;
    }
    paintScatter(res);
  });
}

function paintScatter(res: RunMatrix): void {
  const W = Math.max(480, Math.min(1000, $("scatter").clientWidth || 900));
  const H = 420;
  const L = 70;
  const R = 20;
  const T = 16;
  const B = 44;
  const cx = res.columns[0]!;
  const cy = res.columns[1]!;
  const cc: MatrixColumn | undefined = res.columns[2];
  const sx = axisScale(cx);
  const sy = axisScale(cy);
  const cr = cc && cc.kind === "number" ? minMax(cc.values) : null;
  const cats = cc && cc.kind === "category" ? Array.from(new Set(cc.values.filter((v) => v !== null).map(String))).sort() : [];
  const px = (v: MatrixColumn["values"][number]): number | null => {
    const p = sx.pos(v);
    return p == null ? null : L + p * (W - L - R);
  };
  const py = (v: MatrixColumn["values"][number]): number | null => {
    const p = sy.pos(v);
    return p == null ? null : T + (1 - p) * (H - T - B);
  };
  const tick = (p: number, label: string, horizontal: boolean): string => {
    if (horizontal) {
      const X = L + p * (W - L - R);
      return '<line x1="' + X + '" x2="' + X + '" y1="' + (H - B) + '" y2="' + (H - B + 4) + '" stroke="#888"/><text x="' + X + '" y="' + (H - B + 16) + '" text-anchor="middle" fill="#555">' + esc(label) + "</text>";
    }
    const Y = T + (1 - p) * (H - T - B);
    return '<line x1="' + (L - 4) + '" x2="' + W + '" y1="' + Y + '" y2="' + Y + '" stroke="#eceef1"/><text x="' + (L - 7) + '" y="' + (Y + 4) + '" text-anchor="end" fill="#555">' + esc(label) + "</text>";
  };
  const ticks = (s: Scale, horizontal: boolean): string => {
    let out = "";
    if (s.kind === "category") for (const k of s.cats) out += tick(s.pos(k)!, k, horizontal);
    else {
      const step = niceStep(s.hi - s.lo);
      for (let v = Math.ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step) out += tick(s.pos(v)!, fmt(Number(v.toPrecision(10))), horizontal);
    }
    return out;
  };
  let svg = '<svg id="scatter-svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + " " + H + '" font-size="11">';
  svg += ticks(sy, false) + ticks(sx, true);
  svg += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + (H - B) + '" y2="' + (H - B) + '" stroke="#888"/>';
  svg += '<text x="' + (L + W - R) / 2 + '" y="' + (H - 6) + '" text-anchor="middle" fill="#333">' + esc(cx.key) + "</text>";
  svg += '<text transform="translate(14,' + (T + H - B) / 2 + ') rotate(-90)" text-anchor="middle" fill="#333">' + esc(cy.key) + "</text>";
  let shown = 0;
  const ids = res.ids ?? [];
  const names = res.names ?? [];
  for (let r = 0; r < ids.length; r++) {
    const X = px(cx.values[r]!);
    const Y = py(cy.values[r]!);
    if (X == null || Y == null) continue;
    const v = cc ? cc.values[r]! : null;
    const fill = !cc || v === null ? "#2f6db5" : cr ? colourRamp((Number(v) - cr[0]) / (cr[1] - cr[0] || 1)) : paletteColour(cats.indexOf(String(v)));
    const id = ids[r]!;
    svg +=
      '<circle class="pt" data-id="' + esc(id) + '" cx="' + X.toFixed(1) + '" cy="' + Y.toFixed(1) + '" r="4.5" fill="' + fill + '" fill-opacity="0.8"><title>' +
      esc((names[r] || id.slice(0, 10)) + "\n" + cx.key + " = " + fmt(cx.values[r]) + "\n" + cy.key + " = " + fmt(cy.values[r]) + (cc ? "\n" + cc.key + " = " + fmt(v) : "")) + "</title></circle>";
    shown++;
  }
  svg += "</svg>";
  const legend = cc
    ? '<div class="muted">' +
      (cr
        ? esc(cc.key) + ': <span style="color:' + colourRamp(0) + '">● ' + esc(fmt(cr[0])) + '</span> → <span style="color:' + colourRamp(1) + '">● ' + esc(fmt(cr[1])) + "</span>"
        : cats.slice(0, 12).map((k, i) => '<span style="color:' + paletteColour(i) + '">●</span> ' + esc(k)).join(" &nbsp;")) +
      "</div>"
    : "";
  $("scatter").innerHTML = svg + legend;
  $("sc-info").textContent = shown + " of " + res.total + " runs have both values";
}

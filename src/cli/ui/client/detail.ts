import type UPlot from "uplot";
import type { Bands, RunSeries } from "../../../api/dashboard.js";
import type { TableView } from "../server.js";
import { chartData, destroyChart, drawChart, newChart, type Line } from "./charts.js";
import { $, api, errorBox, esc, maybe, paletteColour } from "./dom.js";
import { showMedia } from "./media.js";
import { selectedIds } from "./runs.js";
import { state, type Detail } from "./state.js";
import { table } from "./table.js";

/** The panel under the runs table: curves, compare, diff or media of the selected runs. */
export function showDetail(kind: Detail): void {
  state.detail = kind;
  renderDetail();
}

export function renderDetail(): void {
  const ids = selectedIds();
  const d = $("detail");
  if (!state.detail || ids.length === 0) {
    d.style.display = "none";
    destroyChart("curves");
    return;
  }
  d.style.display = "block";
  if (state.detail === "curves") return showCurves(ids, state.curveMetric);
  if (state.detail === "compare") return showCompare(ids);
  if (state.detail === "diff") return showDiff(ids);
  if (state.detail === "media") return showMedia(ids);
}

function showCurves(ids: string[], metric: string | undefined): void {
  const d = $("detail");
  void api<RunSeries>("/api/series", { ids: ids.join(","), metric }).then((res) => {
    if (res.error) {
      d.innerHTML = errorBox(res.error.message);
      return;
    }
    if (!res.metric) {
      d.innerHTML = "<h3>Curves</h3>" + errorBox("the selected runs recorded no metric history (series)");
      return;
    }
    const shown = res.metric;
    state.curveMetric = shown;
    const sel = '<select id="curve-metric">' + res.metrics.map((m) => "<option" + (m === shown ? " selected" : "") + ">" + esc(m) + "</option>").join("") + "</select>";
    const missing = ids.length - res.series.length;
    d.innerHTML =
      '<div class="bar"><h3>Curves</h3> ' + sel +
      ' <label title="one curve per group of repeats (the same config but for the repeat keys: seed, or gitexp.json repeat_keys)"><input type="checkbox" id="curve-bands"' + (state.bands ? " checked" : "") + "> seed bands (mean ± std)</label>" +
      (missing > 0 ? ' <span class="muted">' + missing + " selected run(s) have no " + esc(shown) + " series</span>" : "") +
      '</div><div id="curve-chart" class="chart"></div>';
    $<HTMLSelectElement>("curve-metric").onchange = (e) => {
      const value = (e.target as HTMLSelectElement).value;
      state.curveMetric = value;
      showCurves(ids, value);
    };
    $<HTMLInputElement>("curve-bands").onchange = (e) => {
      state.bands = (e.target as HTMLInputElement).checked;
      showCurves(ids, state.curveMetric);
    };
    destroyChart("curves");
    if (state.bands && res.series.length) return drawBands(ids, shown);
    if (res.series.length) drawChart("curves", $("curve-chart"), res.series, { title: shown, yLabel: shown, fresh: true });
  });
}

/** Mean curves of groups of repeats, each with its band: uPlot draws the fill between two hidden series. */
function drawBands(ids: string[], metric: string): void {
  void api<Bands>("/api/bands", { ids: ids.join(","), metric }).then((res) => {
    const el = maybe("curve-chart");
    if (!el) return;
    if (res.error) {
      el.innerHTML = errorBox(res.error.message);
      return;
    }
    const lines: Line[] = [];
    for (const g of res.series) {
      lines.push({ label: g.label, points: g.points });
      lines.push({ label: "lo", points: g.band.map((b) => [b[0], b[1]]) });
      lines.push({ label: "hi", points: g.band.map((b) => [b[0], b[2]]) });
    }
    const data = chartData(lines);
    const series: UPlot.Series[] = [{ label: "step" }];
    const bands: UPlot.Band[] = [];
    res.series.forEach((g, i) => {
      const c = paletteColour(i);
      const at = 1 + i * 3;
      series.push({ label: g.label, stroke: c, width: 2 }, { label: "", stroke: "transparent", show: true, points: { show: false } }, { label: "", stroke: "transparent", points: { show: false } });
      bands.push({ series: [at + 2, at + 1], fill: c + "33" });
    });
    el.innerHTML = "";
    el.dataset["groups"] = String(res.series.length);
    newChart(
      "curves",
      {
        title: metric + " by group of repeats",
        width: Math.max(320, Math.min(1100, (el.clientWidth || 900) - 4)),
        height: 320,
        scales: { x: { time: false } },
        legend: { live: true },
        axes: [{ label: "step" }, { label: metric, size: 60 }],
        series,
        bands,
      },
      data,
      el,
    );
    // the band's edges are series only to carry the fill: keep them out of the legend
    el.querySelectorAll<HTMLElement>(".u-legend .u-series").forEach((row, i) => {
      if (i > 0 && i % 3 !== 1) row.style.display = "none";
    });
  });
}

function showCompare(ids: string[]): void {
  const d = $("detail");
  if (ids.length < 2) {
    d.innerHTML = errorBox("select two or more runs to compare");
    return;
  }
  void api<TableView>("/api/compare", { ids: ids.join(",") }).then((res) => {
    if (res.error) {
      d.innerHTML = errorBox(res.error.message);
      return;
    }
    d.innerHTML = '<h3>Compare</h3><p class="muted">params and metrics that differ; ★ marks the best value</p>' + (res.rows.length ? table(res.columns, res.rows) : errorBox(res.note || "no differences"));
  });
}

function showDiff(ids: string[]): void {
  const d = $("detail");
  if (ids.length !== 2) {
    d.innerHTML = errorBox("select exactly two runs to diff");
    return;
  }
  void api<{ text: string }>("/api/diff", { a: ids[0], b: ids[1] }).then((res) => {
    if (res.error) {
      d.innerHTML = errorBox(res.error.message);
      return;
    }
    const lines = res.text.replace(/\n$/, "").split("\n").map((l) => {
      const cls = /^\s+\+ /.test(l) ? " add" : /^\s+- /.test(l) ? " del" : /^[A-Za-z].*:$/.test(l) ? " head" : "";
      return '<span class="diffline' + cls + '">' + esc(l) + "</span>";
    });
    d.innerHTML = '<h3>Diff</h3><pre id="diff-text">' + lines.join("\n") + "</pre>";
  });
}

import type { RunDetails } from "../../../api/dashboard.js";
import { destroyCharts, drawChart } from "./charts.js";
import { $, api, errorBox, esc, fmt } from "./dom.js";
import { mediaPanel, wireMediaSliders } from "./media.js";
import { showPage } from "./navigation.js";
import { table } from "./table.js";
import { state } from "./state.js";

export function openRun(id: string): void {
  state.run = id;
  showPage("run");
}

function keyValues(obj: Record<string, unknown>): string {
  const ks = Object.keys(obj);
  return ks.length ? table(["key", "value"], ks.map((k) => ({ key: k, value: obj[k] }))) : '<p class="muted">none</p>';
}

/** One run: its params and metrics, its system metrics over time, its media. */
export function loadRun(): void {
  const el = $("run-view");
  destroyCharts("sys:");
  if (!state.run) {
    el.innerHTML = errorBox("open a run from the runs table (its id) or a scatter point");
    return;
  }
  el.innerHTML = '<p class="muted">loading…</p>';
  void api<RunDetails>("/api/run", { id: state.run }).then((r) => {
    if (r.error) {
      el.innerHTML = errorBox(r.error.message);
      return;
    }
    let h = '<div class="bar"><button id="run-back">◀ runs</button><h3>' + esc(r.name || "(unnamed)") + '</h3><code class="muted" id="run-id">' + esc(r.id) + '</code><span class="muted">' + esc(r.status) + ", " + esc(fmt(r.created_at, "created_at")) + "</span></div>";
    h += '<div class="two"><div><h4>Params</h4>' + keyValues(r.params) + "</div><div><h4>Metrics</h4>" + keyValues(r.metrics) + "</div></div>";
    h +=
      "<h4>System metrics</h4>" +
      (r.system.length
        ? '<div id="run-system" class="live-charts">' + r.system.map((s, i) => '<div class="sys-chart" id="sys-' + i + '" data-metric="' + esc(s.metric) + '"></div>').join("") + "</div>"
        : '<p class="muted">none recorded (git exp run samples CPU, memory and GPUs every 10 s unless --no-system-metrics)</p>');
    h += "<h4>Media</h4>" + mediaPanel(r);
    el.innerHTML = h;
    $("run-back").onclick = () => showPage("runs");
    wireMediaSliders(el, r);
    r.system.forEach((s, i) => {
      drawChart("sys:" + s.metric, $("sys-" + i), [{ label: s.metric, points: s.points }], { title: s.metric, height: 200, maxWidth: 520, xLabel: "seconds", yLabel: s.metric.replace(/^system\//, ""), fresh: true });
    });
  });
}

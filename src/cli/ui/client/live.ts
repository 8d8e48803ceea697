import type { LiveView } from "../server.js";
import { destroyCharts, drawChart } from "./charts.js";
import { $, api, errorBox, esc, fmt } from "./dom.js";
import { state } from "./state.js";

/** The shape last drawn (runs, ended or not, their metrics): the list is rebuilt only when it changes, so charts update in place. */
let liveShown = "";

export function forgetLiveShape(): void {
  liveShown = "";
}

/** The live tab, and the dot on it while a run is in progress. */
export function loadLive(): Promise<void> {
  return api<LiveView>("/api/live").then((res) => {
    const el = $("live-list");
    if (res.error) {
      el.innerHTML = errorBox(res.error.message);
      return;
    }
    const running = res.runs.filter((r) => !r.ended_at).length;
    $("live-dot").classList.toggle("on", running > 0);
    if (state.page !== "live") return;
    if (!res.runs.length) {
      destroyCharts("live:");
      liveShown = "";
      el.innerHTML =
        '<div class="empty"><b>No run in progress.</b> Start one with <code>git exp run -- python train.py</code>: ' +
        "it appears here while it runs, its curves growing as the metrics file gets lines, and becomes the recorded experiment when it ends.</div>";
      return;
    }
    const shape = res.runs.map((r) => r.key + (r.ended_at ? ":ended" : "") + ":" + Object.keys(r.series || {}).join("|")).join(",");
    if (shape !== liveShown) {
      destroyCharts("live:");
      liveShown = shape;
      el.innerHTML = res.runs
        .map((r, i) => {
          const title = esc(r.name || r.command.join(" "));
          if (r.ended_at) {
            return (
              '<div class="live ended"><b>' + title + '</b> <span class="muted">ended ' + esc(r.ended_at.slice(11, 19)) + ", " + esc(r.status || "") + "</span>" +
              (r.experiment ? " — recorded as <code>" + esc(r.experiment.slice(0, 10)) + '</code> <button class="open-exp" data-id="' + esc(r.experiment) + '">show in runs</button>' : "") + "</div>"
            );
          }
          return (
            '<div class="live" data-key="' + esc(r.key) + '"><b>' + title + '</b> <span class="muted">pid ' + r.pid + ", started " + esc(r.started_at.slice(11, 19)) +
            ' — <span class="live-step"></span></span><div class="muted" style="font-family:monospace">' + esc(r.command.join(" ")) + "</div>" +
            '<div class="live-charts">' + Object.keys(r.series || {}).slice(0, 6).map((_m, j) => '<div id="live-' + i + "-" + j + '"></div>').join("") + "</div>" +
            (Object.keys(r.series || {}).length ? "" : '<p class="muted">no metrics yet: the run writes JSON lines to $GIT_EXP_METRICS</p>') + "</div>"
          );
        })
        .join("");
    }
    res.runs.forEach((r, i) => {
      if (r.ended_at) return;
      const box = el.querySelector('[data-key="' + r.key + '"] .live-step');
      if (box) {
        box.textContent = r.step == null ? "waiting for metrics" : "step " + r.step + "  " + Object.keys(r.latest).slice(0, 4).map((k) => k + "=" + (r.latest[k] == null ? "NaN" : fmt(r.latest[k]))).join("  ");
      }
      Object.keys(r.series || {}).slice(0, 6).forEach((m, j) => {
        const s = r.series[m]!;
        const pts = s.step.map((x, k): [number, number | null] => [x, typeof s.value[k] === "number" ? s.value[k]! : null]);
        drawChart("live:" + r.key + ":" + m, $("live-" + i + "-" + j), [{ label: m, points: pts }], { title: m, height: 200, maxWidth: 520, yLabel: m });
      });
    });
  });
}

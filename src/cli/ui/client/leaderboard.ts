import type { TableView, TrendView } from "../server.js";
import { chartData, destroyChart, newChart } from "./charts.js";
import { $, api, errorBox, paletteColour } from "./dom.js";
import { table } from "./table.js";

const value = (id: string): string => $<HTMLInputElement | HTMLSelectElement>(id).value;

/** The leaderboard tab: the best runs (or groups) by one metric. */
export function loadTop(): void {
  if (!value("top-metric")) {
    $("top-table").innerHTML = errorBox("no metric recorded yet");
    return;
  }
  void api<TableView>("/api/top", { metric: value("top-metric"), order: value("top-order"), by: value("top-by") }).then((res) => {
    if (res.error) {
      $("top-table").innerHTML = errorBox(res.error.message);
      $("top-note").textContent = "";
      return;
    }
    $("top-note").textContent = res.note || "";
    $("top-table").innerHTML = res.rows.length ? table(res.columns, res.rows) : errorBox("no experiment has a value for this metric");
  });
}

/** The trend tab: the best and mean of a metric per day, or per commit along a branch. */
export function loadTrend(): void {
  if (!value("trend-metric")) {
    $("trend-chart").innerHTML = errorBox("no metric recorded yet");
    return;
  }
  void api<TrendView>("/api/trend", { metric: value("trend-metric"), along: value("trend-branch").trim(), order: value("trend-order") }).then((res) => {
    destroyChart("trend");
    if (res.error) {
      $("trend-chart").innerHTML = errorBox(res.error.message);
      $("trend-table").innerHTML = "";
      return;
    }
    if (!res.points.length) {
      $("trend-chart").innerHTML = errorBox(res.along ? "no experiments on the commits of " + res.along : "no experiments with this metric");
      $("trend-table").innerHTML = "";
      return;
    }
    const best = { label: "best " + res.metric, points: res.points.map((p, i): [number, number] => [i, p.best]) };
    const mean = { label: "mean", points: res.points.map((p, i): [number, number] => [i, p.mean]) };
    const labels = res.points.map((p) => p.label);
    const el = $("trend-chart");
    el.innerHTML = "";
    newChart(
      "trend",
      {
        title: res.metric + (res.along ? " per commit along " + res.along : " per day") + " (" + (res.direction === "max" ? "higher" : "lower") + " is better)",
        width: Math.min(1100, (el.clientWidth || 900) - 4),
        height: 300,
        scales: { x: { time: false } },
        axes: [
          {
            space: 70,
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
            values: (_u, splits) => splits.map((s) => {
              const l = labels[s];
              return l === undefined ? "" : res.along ? l : l.slice(5);
            }),
          },
          { size: 60 },
        ],
        series: [
          { label: res.along ? "commit" : "day", value: (_u, v) => (v == null ? "" : labels[v] || "") },
          { label: best.label, stroke: paletteColour(0), width: 2, points: { size: 6 } },
          { label: "mean", stroke: paletteColour(5), width: 1, dash: [4, 4] },
        ],
      },
      chartData([best, mean]),
      el,
    );
    $("trend-table").innerHTML = table(res.columns, res.rows);
  });
}

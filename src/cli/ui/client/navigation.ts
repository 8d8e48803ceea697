import { renderDetail } from "./detail.js";
import { $ } from "./dom.js";
import { loadTop, loadTrend } from "./leaderboard.js";
import { forgetLiveShape, loadLive } from "./live.js";
import { drawParallel } from "./parallel.js";
import { loadRun } from "./run-page.js";
import { loadKeys, loadRuns } from "./runs.js";
import { drawScatter } from "./scatter.js";
import { state, type PageName, type View } from "./state.js";
import { updateScrollCues } from "./table.js";
import { saveHash } from "./url-state.js";

/** Switch tabs; the tab shown loads what it shows. */
export function showPage(page: PageName): void {
  state.page = page;
  saveHash();
  $("run-tab").style.display = state.run ? "" : "none";
  document.querySelectorAll<HTMLElement>("nav button").forEach((x) => x.classList.toggle("on", x.dataset["page"] === page));
  document.querySelectorAll("main section").forEach((s) => s.classList.toggle("on", s.id === "page-" + page));
  if (page === "top") loadTop();
  if (page === "trend") loadTrend();
  if (page === "live") {
    forgetLiveShape();
    void loadLive();
  }
  if (page === "run") loadRun();
  if (page === "runs") updateScrollCues();
}

/** A second click on a view's button closes it. */
export function showView(view: Exclude<View, "">): void {
  state.view = state.view === view ? "" : view;
  saveHash();
  void renderView();
}

/** The chart over the runs table: parallel coordinates, a scatter, or nothing. */
export function renderView(): Promise<void> | void {
  for (const v of ["parallel", "scatter"]) $("view-" + v + "-btn").classList.toggle("primary", state.view === v);
  const box = $("view");
  if (!state.view || !state.keys) {
    box.style.display = "none";
    box.innerHTML = "";
    return;
  }
  box.style.display = "block";
  if (state.view === "parallel") return drawParallel();
  if (state.view === "scatter") return drawScatter();
}

/** Everything shown, asked again: on start and whenever the experiments change. */
export function refreshAll(): Promise<void> {
  return loadKeys().then(() => {
    // The table's page and the view's values asked together: the server answers one after
    // the other with no wait between, while the page draws the table.
    const runs = loadRuns();
    if (state.view) void renderView();
    return runs.then(() => {
      if (state.detail) renderDetail();
      if (state.page === "top") loadTop();
      if (state.page === "trend") loadTrend();
    });
  });
}

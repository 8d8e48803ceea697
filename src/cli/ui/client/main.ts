/**
 * The dashboard's browser code, bundled by esbuild into the one script the server sends as
 * /static/app.js. It asks the server for one page of rows at a time, never for every experiment.
 */
import { $ } from "./dom.js";
import { renderDetail, showDetail } from "./detail.js";
import { loadTop, loadTrend } from "./leaderboard.js";
import { loadLive } from "./live.js";
import { refreshAll, renderView, showPage, showView } from "./navigation.js";
import { paintParallel } from "./parallel.js";
import { openRun } from "./run-page.js";
import { firstDescending, loadRuns, updateSelection } from "./runs.js";
import { isPage, state } from "./state.js";
import { updateScrollCues } from "./table.js";
import { readHash } from "./url-state.js";

document.querySelectorAll<HTMLElement>("nav button").forEach((b) => {
  const page = b.dataset["page"];
  if (isPage(page)) b.onclick = () => showPage(page);
});

let typing: ReturnType<typeof setTimeout> | undefined;
const filter = $<HTMLInputElement>("filter");
const applyFilter = (): void => {
  state.where = filter.value.trim();
  state.offset = 0;
  void loadRuns();
};
// Ask once typing pauses, not on every key.
filter.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(applyFilter, 250);
});
filter.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    clearTimeout(typing);
    applyFilter();
  }
});

$("columns-btn").onclick = () => $("columns-box").classList.toggle("on");
$("columns-box").addEventListener("change", () => {
  const cols = Array.from(document.querySelectorAll<HTMLInputElement>("#columns-box input:checked")).map((i) => i.value);
  if (!cols.includes("id")) cols.unshift("id");
  state.columns = cols;
  void loadRuns();
});

$("runs-table").addEventListener("click", (e) => {
  const target = e.target as HTMLElement;
  const th = target.closest<HTMLElement>("th[data-col]");
  if (th) {
    const c = th.dataset["col"]!;
    state.desc = state.sort === c ? !state.desc : firstDescending(c);
    state.sort = c;
    state.offset = 0;
    void loadRuns();
    return;
  }
  const link = target.closest<HTMLElement>("a.run-link");
  if (link) {
    e.preventDefault();
    openRun(link.dataset["run"]!);
    return;
  }
  if (target.id === "select-page") {
    const checked = (target as HTMLInputElement).checked;
    for (const r of state.rows) {
      const id = String(r["id"]);
      if (checked) state.selected.set(id, r["name"] == null ? null : String(r["name"]));
      else state.selected.delete(id);
    }
    void loadRuns();
    updateSelection();
    renderDetail();
    return;
  }
  let cb = target.closest<HTMLInputElement>("input.pick");
  const tr = target.closest("tr[data-id]");
  if (!cb && tr && !target.closest("a,button")) {
    cb = tr.querySelector<HTMLInputElement>("input.pick");
    if (cb) cb.checked = !cb.checked;
  }
  if (cb) {
    if (cb.checked) state.selected.set(cb.dataset["id"]!, "");
    else state.selected.delete(cb.dataset["id"]!);
    cb.closest("tr")!.classList.toggle("sel", cb.checked);
    updateSelection();
    if (state.detail) renderDetail();
  }
});

$("view-parallel-btn").onclick = () => showView("parallel");
$("view-scatter-btn").onclick = () => showView("scatter");
$("view").addEventListener("click", (e) => {
  const pt = (e.target as Element).closest<SVGElement>("circle.pt");
  if (pt) openRun(pt.dataset["id"]!);
});
$("media-btn").onclick = () => showDetail("media");
window.addEventListener("resize", () => {
  updateScrollCues();
  if (state.view === "parallel") paintParallel();
});
$("live-list").addEventListener("click", (e) => {
  const b = (e.target as HTMLElement).closest<HTMLElement>("button.open-exp");
  if (!b) return;
  const id = b.dataset["id"]!;
  state.where = "id = '" + id + "'";
  filter.value = state.where;
  state.offset = 0;
  state.selected = new Map([[id, ""]]);
  state.detail = "curves";
  updateSelection();
  showPage("runs");
  void loadRuns().then(renderDetail);
});
$("prev").onclick = () => {
  state.offset = Math.max(0, state.offset - state.limit);
  void loadRuns();
};
$("next").onclick = () => {
  if (state.offset + state.limit < state.total) {
    state.offset += state.limit;
    void loadRuns();
  }
};
$("curves-btn").onclick = () => showDetail("curves");
$("compare-btn").onclick = () => showDetail("compare");
$("diff-btn").onclick = () => showDetail("diff");
$("clear-btn").onclick = () => {
  state.selected.clear();
  state.detail = null;
  updateSelection();
  renderDetail();
  void loadRuns();
};
for (const id of ["top-metric", "top-order", "top-by"]) $(id).onchange = loadTop;
for (const id of ["trend-metric", "trend-order"]) $(id).onchange = loadTrend;
$("trend-branch").onchange = loadTrend;
window.addEventListener("hashchange", () => {
  const page = state.page;
  const run = state.run;
  readHash();
  void loadRuns();
  if (state.page !== page || state.run !== run) showPage(state.page);
  void renderView();
});

readHash();
updateSelection();
showPage(state.page);
void refreshAll();
void loadLive();

const events = new EventSource("/api/events");
events.onmessage = (e: MessageEvent<string>) => {
  const msg = JSON.parse(e.data) as { changed?: boolean; live?: boolean };
  if (msg.changed) {
    $("status").textContent = "updated " + new Date().toLocaleTimeString();
    void refreshAll();
  }
  if (msg.live) void loadLive();
};
events.onerror = () => {
  $("status").textContent = "reconnecting to git exp ui…";
};
events.onopen = () => {
  if (/reconnecting/.test($("status").textContent ?? "")) $("status").textContent = "";
};

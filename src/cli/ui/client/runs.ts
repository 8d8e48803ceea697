import type { IndexKeys, RunsPage } from "../../../api/dashboard.js";
import { $, api, esc, type ApiError } from "./dom.js";
import { brushWhere, effectiveWhere } from "./filter-text.js";
import { paintParallel } from "./parallel.js";
import { state } from "./state.js";
import { SORTABLE_ATTRS, table, updateScrollCues } from "./table.js";
import { saveHash } from "./url-state.js";

export function visibleColumns(): string[] {
  if (state.columns) return state.columns;
  return state.keys ? state.keys.defaults : ["id", "name", "status", "created_at", "tags"];
}

function showFilterError(err: ApiError): void {
  $("filter").classList.add("bad");
  let text = err.message;
  if (err.column && !text.includes("\n")) text += "\n  " + state.where + "\n  " + " ".repeat(Math.max(0, err.column - 1)) + "^";
  $("filter-error").textContent = text;
}

const EMPTY =
  '<div class="empty"><b>No experiments yet.</b> Record a first one from this repository:' +
  "<pre>git exp run -- python train.py          # runs it, records config, metrics, environment\n" +
  "git exp record --config config.json --results results.json</pre>" +
  "It shows up here by itself, no restart needed. A run in progress appears under <b>Live</b>.</div>";

/** One page of the runs table, as the filter, the axis filters, the sort and the offset say. */
export function loadRuns(): Promise<void> {
  const cols = visibleColumns();
  const where = effectiveWhere();
  const asked = { where, sort: state.sort, desc: state.desc, offset: state.offset };
  saveHash();
  renderBrushInfo();
  return api<RunsPage>("/api/runs", { where, sort: state.sort, desc: state.desc ? "1" : "0", offset: state.offset, limit: state.limit, columns: cols.join(",") }).then((res): Promise<void> | void => {
    // An answer to a question no longer asked (the user typed on): drop it.
    if (asked.where !== effectiveWhere() || asked.sort !== state.sort || asked.desc !== state.desc || asked.offset !== state.offset) return;
    const box = $("runs-table");
    if (res.error) {
      if (res.error.code === "EUSAGE" && state.sort !== "created_at" && /sort/.test(res.error.message)) {
        state.sort = "created_at";
        state.desc = true;
        return loadRuns();
      }
      // The typed filter sits one column in, inside the brackets the axis filters add.
      if (res.error.column && where !== state.where) res.error.column -= 1;
      showFilterError(res.error);
      box.classList.add("muted");
      return;
    }
    $("filter").classList.remove("bad");
    $("filter-error").textContent = "";
    box.classList.remove("muted");
    state.total = res.total;
    state.rows = res.rows;
    if (res.total === 0 && !where) box.innerHTML = EMPTY;
    else if (res.total === 0) box.innerHTML = '<div class="empty">No experiment matches this filter' + (where !== state.where ? " and the axis filters" : "") + ".</div>";
    else {
      box.innerHTML = table(res.columns, res.rows, { select: true, sortable: true, sort: state.sort, desc: state.desc });
      const all = document.getElementById("select-page") as HTMLInputElement | null;
      if (all) all.checked = res.rows.length > 0 && res.rows.every((r) => state.selected.has(String(r["id"])));
      updateScrollCues();
      if (!window.__tableMs) window.__tableMs = performance.now();
    }
    $("count").textContent = res.total + (res.total === 1 ? " experiment" : " experiments") + (where ? " match" : "");
    $("page-info").textContent = res.total ? state.offset + 1 + "–" + Math.min(state.offset + res.rows.length, res.total) + " of " + res.total : "";
    $<HTMLButtonElement>("prev").disabled = state.offset === 0;
    $<HTMLButtonElement>("next").disabled = state.offset + state.limit >= res.total;
  });
}

/** The params and metrics the index knows: the column picker and the metric selects. */
export function loadKeys(): Promise<void> {
  return api<IndexKeys>("/api/keys").then((k) => {
    if (k.error) {
      $("status").textContent = k.error.message;
      return;
    }
    state.keys = k;
    renderColumnsBox();
    const common = (k.defaults.filter((c) => c.startsWith("metrics."))[0] || "").slice(8);
    fillMetricSelect("top-metric", k.metrics, common);
    fillMetricSelect("trend-metric", k.metrics, common);
  });
}

function fillMetricSelect(id: string, metrics: string[], preferred: string): void {
  const el = $<HTMLSelectElement>(id);
  const cur = el.value || preferred;
  el.innerHTML = metrics.map((m) => "<option" + (m === cur ? " selected" : "") + ">" + esc(m) + "</option>").join("");
}

function renderColumnsBox(): void {
  const k = state.keys || { params: [], metrics: [] };
  const cols = visibleColumns();
  const all = SORTABLE_ATTRS.concat(["tags"], k.params.map((p) => "params." + p), k.metrics.map((m) => "metrics." + m));
  $("columns-box").innerHTML = all.map((c) => '<label title="' + esc(c) + '"><input type="checkbox" value="' + esc(c) + '"' + (cols.includes(c) ? " checked" : "") + "> " + esc(c) + "</label>").join("");
}

export function updateSelection(): void {
  const n = state.selected.size;
  $("sel-info").textContent = n ? n + " selected" : "select runs to compare them";
  $<HTMLButtonElement>("curves-btn").disabled = n < 1;
  $<HTMLButtonElement>("media-btn").disabled = n < 1;
  $<HTMLButtonElement>("compare-btn").disabled = n < 2;
  $<HTMLButtonElement>("diff-btn").disabled = n !== 2;
  $<HTMLButtonElement>("clear-btn").disabled = n < 1;
}

export function selectedIds(): string[] {
  return Array.from(state.selected.keys());
}

/** A first click sorts best first: a metric where lower is better ascending, one where higher is better descending. */
export function firstDescending(c: string): boolean {
  if (c.startsWith("metrics.")) return !(state.keys && state.keys.lower && state.keys.lower.includes(c.slice(8)));
  return !/^(id|name|branch|status|config_hash|source_commit|created_by|message|params\.)/.test(c);
}

/** The axis filters in words over the table, with a button that clears them. */
function renderBrushInfo(): void {
  const el = $("brush-info");
  const b = brushWhere();
  el.innerHTML = b ? "axis filters: <code>" + esc(b) + '</code> <button id="brush-clear">clear</button>' : "";
  if (b) {
    $("brush-clear").onclick = () => {
      state.brush = {};
      state.offset = 0;
      saveHash();
      void loadRuns();
      if (state.view === "parallel") paintParallel();
    };
  }
}

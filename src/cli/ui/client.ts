/**
 * The dashboard's browser code, served as /static/app.js. Plain ES2017 in the browser:
 * it asks the server for one page of rows at a time, never for every experiment.
 * (No template literals inside: this text is itself a template literal.)
 */
export const CLIENT_JS = String.raw`
"use strict";
var state = { where: "", sort: "created_at", desc: true, offset: 0, limit: 50, total: 0, columns: null, keys: null, selected: new Map(), rows: [], detail: null, page: "runs" };
var PALETTE = ["#4e79a7","#f28e2b","#e15759","#59a14f","#b07aa1","#76b7b2","#edc948","#ff9da7","#9c755f","#bab0ac"];
var SORTABLE_ATTRS = ["id","name","status","created_at","created_by","branch","source_commit","config_hash","duration_s","exit_code","message"];
function $(id) { return document.getElementById(id); }
function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return {"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]; }); }
function isNonFinite(v) { return v === "NaN" || v === "Infinity" || v === "-Infinity"; }
function fmt(v, col) {
  if (v == null) return "";
  if (typeof v === "number") { if (Number.isInteger(v)) return String(v); var p = Number(v.toPrecision(6)); return Math.abs(p) >= 1e-4 && Math.abs(p) < 1e15 ? String(p) : p.toExponential(); }
  if (col === "id" || col === "config_hash" || col === "source_commit") return String(v).slice(0, 10);
  if (col === "created_at" && typeof v === "string") return v.slice(0, 16).replace("T", " ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
function api(path, params) {
  var q = new URLSearchParams();
  Object.keys(params || {}).forEach(function (k) { if (params[k] !== undefined && params[k] !== null && params[k] !== "") q.set(k, params[k]); });
  return fetch(path + "?" + q.toString()).then(function (r) {
    return r.json().catch(function () { return { error: { message: "the server answered " + r.status } }; });
  }, function () { return { error: { message: "cannot reach git exp ui: is it still running?" } }; });
}
function errorBox(msg) { return "<p class=\"muted\">" + esc(msg) + "</p>"; }

/* ---- tables ---- */
function table(columns, rows, opts) {
  opts = opts || {};
  var h = "<div class=\"table-wrap\"><table><thead><tr>" + (opts.select ? "<th><input type=\"checkbox\" id=\"select-page\" title=\"select this page\"></th>" : "");
  columns.forEach(function (c) {
    var sortable = opts.sortable && (SORTABLE_ATTRS.indexOf(c) >= 0 || /^(params|metrics)\./.test(c));
    var dir = opts.sort === c ? "<span class=\"dir\">" + (opts.desc ? "▼" : "▲") + "</span>" : "";
    h += "<th" + (sortable ? " class=\"sortable\" data-col=\"" + esc(c) + "\" title=\"sort by " + esc(c) + "\"" : "") + ">" + esc(c) + dir + "</th>";
  });
  h += "</tr></thead><tbody>";
  rows.forEach(function (r) {
    var id = r.id || r._id;
    var sel = opts.select && state.selected.has(r.id);
    h += "<tr" + (id ? " data-id=\"" + esc(id) + "\"" : "") + (sel ? " class=\"sel\"" : "") + ">";
    if (opts.select) h += "<td><input type=\"checkbox\" class=\"pick\" data-id=\"" + esc(r.id) + "\"" + (sel ? " checked" : "") + "></td>";
    columns.forEach(function (c) {
      var v = r[c], cls = typeof v === "number" ? "num" : isNonFinite(v) ? "num nan" : c === "id" ? "id" : "";
      h += "<td" + (cls ? " class=\"" + cls + "\"" : "") + " title=\"" + esc(v == null ? "" : typeof v === "object" ? JSON.stringify(v) : v) + "\">" + esc(fmt(v, c)) + "</td>";
    });
    h += "</tr>";
  });
  return h + "</tbody></table></div>";
}

/* ---- runs page ---- */
function visibleColumns() {
  if (state.columns) return state.columns;
  return state.keys ? state.keys.defaults : ["id", "name", "status", "created_at", "tags"];
}
function showFilterError(err) {
  $("filter").classList.add("bad");
  var text = err.message;
  if (err.column && text.indexOf("\n") < 0) text += "\n  " + state.where + "\n  " + " ".repeat(Math.max(0, err.column - 1)) + "^";
  $("filter-error").textContent = text;
}
function loadRuns() {
  var cols = visibleColumns();
  var asked = { where: state.where, sort: state.sort, desc: state.desc, offset: state.offset, columns: cols.join(",") };
  saveHash();
  return api("/api/runs", { where: state.where, sort: state.sort, desc: state.desc ? "1" : "0", offset: state.offset, limit: state.limit, columns: cols.join(",") }).then(function (res) {
    if (asked.where !== state.where || asked.sort !== state.sort || asked.desc !== state.desc || asked.offset !== state.offset) return;
    if (res.error) {
      if (res.error.code === "EUSAGE" && state.sort !== "created_at" && /sort/.test(res.error.message)) { state.sort = "created_at"; state.desc = true; return loadRuns(); }
      showFilterError(res.error);
      $("runs-table").classList.add("muted");
      return;
    }
    $("filter").classList.remove("bad");
    $("filter-error").textContent = "";
    $("runs-table").classList.remove("muted");
    state.total = res.total; state.rows = res.rows;
    if (res.total === 0 && !state.where) {
      $("runs-table").innerHTML = "<div class=\"empty\"><b>No experiments yet.</b> Record a first one from this repository:" +
        "<pre>git exp run -- python train.py          # runs it, records config, metrics, environment\n" +
        "git exp record --config config.json --results results.json</pre>" +
        "It shows up here by itself, no restart needed. A run in progress appears under <b>Live</b>.</div>";
    } else if (res.total === 0) {
      $("runs-table").innerHTML = "<div class=\"empty\">No experiment matches this filter.</div>";
    } else {
      $("runs-table").innerHTML = table(res.columns, res.rows, { select: true, sortable: true, sort: state.sort, desc: state.desc });
      var all = $("select-page");
      if (all) all.checked = res.rows.length > 0 && res.rows.every(function (r) { return state.selected.has(r.id); });
    }
    $("count").textContent = res.total + (res.total === 1 ? " experiment" : " experiments") + (state.where ? " match" : "");
    $("page-info").textContent = res.total ? (state.offset + 1) + "–" + Math.min(state.offset + res.rows.length, res.total) + " of " + res.total : "";
    $("prev").disabled = state.offset === 0;
    $("next").disabled = state.offset + state.limit >= res.total;
  });
}
function loadKeys() {
  return api("/api/keys").then(function (k) {
    if (k.error) { $("status").textContent = k.error.message; return; }
    state.keys = k;
    renderColumnsBox();
    var common = (k.defaults.filter(function (c) { return c.indexOf("metrics.") === 0; })[0] || "").slice(8);
    fillMetricSelect("top-metric", k.metrics, common);
    fillMetricSelect("trend-metric", k.metrics, common);
  });
}
function fillMetricSelect(id, metrics, preferred) {
  var el = $(id), cur = el.value || preferred;
  el.innerHTML = metrics.map(function (m) { return "<option" + (m === cur ? " selected" : "") + ">" + esc(m) + "</option>"; }).join("");
}
function renderColumnsBox() {
  var k = state.keys || { params: [], metrics: [] }, cols = visibleColumns();
  var all = SORTABLE_ATTRS.concat(["tags"]).concat(k.params.map(function (p) { return "params." + p; })).concat(k.metrics.map(function (m) { return "metrics." + m; }));
  $("columns-box").innerHTML = all.map(function (c) {
    return "<label title=\"" + esc(c) + "\"><input type=\"checkbox\" value=\"" + esc(c) + "\"" + (cols.indexOf(c) >= 0 ? " checked" : "") + "> " + esc(c) + "</label>";
  }).join("");
}
function updateSelection() {
  var n = state.selected.size;
  $("sel-info").textContent = n ? n + " selected" : "select runs to compare them";
  $("curves-btn").disabled = n < 1;
  $("compare-btn").disabled = n < 2;
  $("diff-btn").disabled = n !== 2;
  $("clear-btn").disabled = n < 1;
}
function selectedIds() { return Array.from(state.selected.keys()); }

/* ---- charts ---- */
var charts = {};
function destroyChart(key) { if (charts[key]) { charts[key].destroy(); delete charts[key]; } }
/** Each series keeps its own x values: missing steps are undefined (the line goes on), NaN is null (a gap). */
function chartData(series) {
  var xs = [], seen = new Set();
  series.forEach(function (s) { s.points.forEach(function (p) { if (!seen.has(p[0])) { seen.add(p[0]); xs.push(p[0]); } }); });
  xs.sort(function (a, b) { return a - b; });
  var at = new Map(xs.map(function (x, i) { return [x, i]; }));
  return [xs].concat(series.map(function (s) {
    var ys = new Array(xs.length).fill(undefined);
    s.points.forEach(function (p) { ys[at.get(p[0])] = typeof p[1] === "number" && isFinite(p[1]) ? p[1] : null; });
    return ys;
  }));
}
function drawChart(key, el, series, o) {
  o = o || {};
  var data = chartData(series);
  var width = Math.max(320, Math.min(o.maxWidth || 1100, (el.clientWidth || el.parentNode.clientWidth || 900) - 4));
  if (charts[key] && charts[key].series.length === series.length + 1 && !o.fresh) { charts[key].setData(data); return; }
  destroyChart(key);
  el.innerHTML = "";
  var opts = { title: o.title, width: width, height: o.height || 320, scales: { x: { time: false } }, legend: { live: true },
    axes: [{ label: o.xLabel || "step" }, { label: o.yLabel || "", size: 60 }],
    series: [{ label: o.xLabel || "step" }].concat(series.map(function (s, i) { return { label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.6, spanGaps: false, points: { size: 5 } }; })) };
  charts[key] = new uPlot(opts, data, el);
}

/* ---- detail views of the selection ---- */
function showDetail(kind) { state.detail = kind; renderDetail(); }
function renderDetail() {
  var ids = selectedIds(), d = $("detail");
  if (!state.detail || ids.length === 0) { d.style.display = "none"; destroyChart("curves"); return; }
  d.style.display = "block";
  if (state.detail === "curves") return showCurves(ids, state.curveMetric);
  if (state.detail === "compare") return showCompare(ids);
  if (state.detail === "diff") return showDiff(ids);
}
function showCurves(ids, metric) {
  var d = $("detail");
  api("/api/series", { ids: ids.join(","), metric: metric }).then(function (res) {
    if (res.error) { d.innerHTML = errorBox(res.error.message); return; }
    if (!res.metric) { d.innerHTML = "<h3>Curves</h3>" + errorBox("the selected runs recorded no metric history (series)"); return; }
    state.curveMetric = res.metric;
    var sel = "<select id=\"curve-metric\">" + res.metrics.map(function (m) { return "<option" + (m === res.metric ? " selected" : "") + ">" + esc(m) + "</option>"; }).join("") + "</select>";
    var missing = ids.length - res.series.length;
    d.innerHTML = "<div class=\"bar\"><h3>Curves</h3> " + sel + (missing > 0 ? " <span class=\"muted\">" + missing + " selected run(s) have no " + esc(res.metric) + " series</span>" : "") + "</div><div id=\"curve-chart\" class=\"chart\"></div>";
    $("curve-metric").onchange = function (e) { state.curveMetric = e.target.value; showCurves(ids, e.target.value); };
    destroyChart("curves");
    if (res.series.length) drawChart("curves", $("curve-chart"), res.series, { title: res.metric, yLabel: res.metric, fresh: true });
  });
}
function showCompare(ids) {
  var d = $("detail");
  if (ids.length < 2) { d.innerHTML = errorBox("select two or more runs to compare"); return; }
  api("/api/compare", { ids: ids.join(",") }).then(function (res) {
    if (res.error) { d.innerHTML = errorBox(res.error.message); return; }
    d.innerHTML = "<h3>Compare</h3><p class=\"muted\">params and metrics that differ; ★ marks the best value</p>" + (res.rows.length ? table(res.columns, res.rows) : errorBox(res.note || "no differences"));
  });
}
function showDiff(ids) {
  var d = $("detail");
  if (ids.length !== 2) { d.innerHTML = errorBox("select exactly two runs to diff"); return; }
  api("/api/diff", { a: ids[0], b: ids[1] }).then(function (res) {
    if (res.error) { d.innerHTML = errorBox(res.error.message); return; }
    d.innerHTML = "<h3>Diff</h3><pre id=\"diff-text\">" + res.text.replace(/\n$/, "").split("\n").map(function (l) {
      var cls = /^\s+\+ /.test(l) ? " add" : /^\s+- /.test(l) ? " del" : /^[A-Za-z].*:$/.test(l) ? " head" : "";
      return "<span class=\"diffline" + cls + "\">" + esc(l) + "</span>";
    }).join("\n") + "</pre>";
  });
}

/* ---- leaderboard and trend ---- */
function loadTop() {
  if (!$("top-metric").value) { $("top-table").innerHTML = errorBox("no metric recorded yet"); return; }
  api("/api/top", { metric: $("top-metric").value, order: $("top-order").value, by: $("top-by").value }).then(function (res) {
    if (res.error) { $("top-table").innerHTML = errorBox(res.error.message); $("top-note").textContent = ""; return; }
    $("top-note").textContent = res.note || "";
    $("top-table").innerHTML = res.rows.length ? table(res.columns, res.rows) : errorBox("no experiment has a value for this metric");
  });
}
function loadTrend() {
  if (!$("trend-metric").value) { $("trend-chart").innerHTML = errorBox("no metric recorded yet"); return; }
  api("/api/trend", { metric: $("trend-metric").value, along: $("trend-branch").value.trim(), order: $("trend-order").value }).then(function (res) {
    destroyChart("trend");
    if (res.error) { $("trend-chart").innerHTML = errorBox(res.error.message); $("trend-table").innerHTML = ""; return; }
    if (!res.points.length) { $("trend-chart").innerHTML = errorBox(res.along ? "no experiments on the commits of " + res.along : "no experiments with this metric"); $("trend-table").innerHTML = ""; return; }
    var best = { label: "best " + res.metric, points: res.points.map(function (p, i) { return [i, p.best]; }) };
    var mean = { label: "mean", points: res.points.map(function (p, i) { return [i, p.mean]; }) };
    var labels = res.points.map(function (p) { return p.label; });
    $("trend-chart").innerHTML = "";
    var data = chartData([best, mean]);
    charts.trend = new uPlot({ title: res.metric + (res.along ? " per commit along " + res.along : " per day") + " (" + (res.direction === "max" ? "higher" : "lower") + " is better)",
      width: Math.min(1100, ($("trend-chart").clientWidth || 900) - 4), height: 300, scales: { x: { time: false } },
      axes: [{ space: 70, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
        values: function (u, splits) { return splits.map(function (s) { var l = labels[s]; return l === undefined ? "" : res.along ? l : l.slice(5); }); } }, { size: 60 }],
      series: [{ label: res.along ? "commit" : "day", value: function (u, v) { return v == null ? "" : labels[v] || ""; } },
        { label: best.label, stroke: PALETTE[0], width: 2, points: { size: 6 } }, { label: "mean", stroke: PALETTE[5], width: 1, dash: [4, 4] }] }, data, $("trend-chart"));
    $("trend-table").innerHTML = table(res.columns, res.rows);
  });
}

/* ---- live runs ---- */
var liveShown = "";
function loadLive() {
  return api("/api/live").then(function (res) {
    var el = $("live-list");
    if (res.error) { el.innerHTML = errorBox(res.error.message); return; }
    var running = res.runs.filter(function (r) { return !r.ended_at; }).length;
    $("live-dot").classList.toggle("on", running > 0);
    if (state.page !== "live") return;
    if (!res.runs.length) {
      Object.keys(charts).forEach(function (k) { if (k.indexOf("live:") === 0) destroyChart(k); });
      liveShown = "";
      el.innerHTML = "<div class=\"empty\"><b>No run in progress.</b> Start one with <code>git exp run -- python train.py</code>: " +
        "it appears here while it runs, its curves growing as the metrics file gets lines, and becomes the recorded experiment when it ends.</div>";
      return;
    }
    var shape = res.runs.map(function (r) { return r.key + (r.ended_at ? ":ended" : "") + ":" + Object.keys(r.series || {}).join("|"); }).join(",");
    if (shape !== liveShown) {
      Object.keys(charts).forEach(function (k) { if (k.indexOf("live:") === 0) destroyChart(k); });
      liveShown = shape;
      el.innerHTML = res.runs.map(function (r, i) {
        var title = esc(r.name || r.command.join(" "));
        if (r.ended_at) {
          return "<div class=\"live ended\"><b>" + title + "</b> <span class=\"muted\">ended " + esc(r.ended_at.slice(11, 19)) + ", " + esc(r.status || "") + "</span>" +
            (r.experiment ? " — recorded as <code>" + esc(r.experiment.slice(0, 10)) + "</code> <button class=\"open-exp\" data-id=\"" + esc(r.experiment) + "\">show in runs</button>" : "") + "</div>";
        }
        return "<div class=\"live\" data-key=\"" + esc(r.key) + "\"><b>" + title + "</b> <span class=\"muted\">pid " + r.pid + ", started " + esc(r.started_at.slice(11, 19)) +
          " — <span class=\"live-step\"></span></span><div class=\"muted\" style=\"font-family:monospace\">" + esc(r.command.join(" ")) + "</div>" +
          "<div class=\"live-charts\">" + Object.keys(r.series || {}).slice(0, 6).map(function (m, j) { return "<div id=\"live-" + i + "-" + j + "\"></div>"; }).join("") + "</div>" +
          (Object.keys(r.series || {}).length ? "" : "<p class=\"muted\">no metrics yet: the run writes JSON lines to $GIT_EXP_METRICS</p>") + "</div>";
      }).join("");
    }
    res.runs.forEach(function (r, i) {
      if (r.ended_at) return;
      var box = el.querySelector("[data-key=\"" + r.key + "\"] .live-step");
      if (box) box.textContent = r.step == null ? "waiting for metrics" : "step " + r.step + "  " + Object.keys(r.latest).slice(0, 4).map(function (k) { return k + "=" + (r.latest[k] == null ? "NaN" : fmt(r.latest[k])); }).join("  ");
      Object.keys(r.series || {}).slice(0, 6).forEach(function (m, j) {
        var s = r.series[m];
        var pts = s.step.map(function (x, k) { return [x, typeof s.value[k] === "number" ? s.value[k] : null]; });
        drawChart("live:" + r.key + ":" + m, $("live-" + i + "-" + j), [{ label: m, points: pts }], { title: m, height: 200, maxWidth: 520, yLabel: m });
      });
    });
  });
}

/* ---- navigation, state in the address ---- */
function saveHash() {
  var h = new URLSearchParams();
  if (state.where) h.set("where", state.where);
  if (state.sort !== "created_at" || !state.desc) { h.set("sort", state.sort); h.set("desc", state.desc ? "1" : "0"); }
  if (state.offset) h.set("offset", state.offset);
  if (state.columns) h.set("columns", state.columns.join(","));
  var text = h.toString();
  if (location.hash.slice(1) !== text) history.replaceState(null, "", text ? "#" + text : location.pathname);
}
function readHash() {
  var h = new URLSearchParams(location.hash.slice(1));
  state.where = h.get("where") || "";
  state.sort = h.get("sort") || "created_at";
  state.desc = h.get("desc") !== "0";
  state.offset = Number(h.get("offset")) || 0;
  state.columns = h.get("columns") ? h.get("columns").split(",") : null;
  $("filter").value = state.where;
}
function showPage(page) {
  state.page = page;
  document.querySelectorAll("nav button").forEach(function (x) { x.classList.toggle("on", x.dataset.page === page); });
  document.querySelectorAll("main section").forEach(function (s) { s.classList.toggle("on", s.id === "page-" + page); });
  if (page === "top") loadTop();
  if (page === "trend") loadTrend();
  if (page === "live") { liveShown = ""; loadLive(); }
}
function refreshAll() {
  return loadKeys().then(loadRuns).then(function () {
    if (state.detail) renderDetail();
    if (state.page === "top") loadTop();
    if (state.page === "trend") loadTrend();
  });
}
document.querySelectorAll("nav button").forEach(function (b) { b.onclick = function () { showPage(b.dataset.page); }; });
var typing = null;
$("filter").addEventListener("input", function (e) {
  clearTimeout(typing);
  typing = setTimeout(function () { state.where = e.target.value.trim(); state.offset = 0; loadRuns(); }, 250);
});
$("filter").addEventListener("keydown", function (e) { if (e.key === "Enter") { clearTimeout(typing); state.where = e.target.value.trim(); state.offset = 0; loadRuns(); } });
$("columns-btn").onclick = function () { $("columns-box").classList.toggle("on"); };
$("columns-box").addEventListener("change", function () {
  state.columns = Array.from(document.querySelectorAll("#columns-box input:checked")).map(function (i) { return i.value; });
  if (state.columns.indexOf("id") < 0) state.columns.unshift("id");
  loadRuns();
});
$("runs-table").addEventListener("click", function (e) {
  var th = e.target.closest("th[data-col]");
  if (th) { var c = th.dataset.col; state.desc = state.sort === c ? !state.desc : !/^(id|name|branch|status|config_hash|source_commit|created_by|message|params\.)/.test(c); state.sort = c; state.offset = 0; loadRuns(); return; }
  if (e.target.id === "select-page") {
    state.rows.forEach(function (r) { if (e.target.checked) state.selected.set(r.id, r.name); else state.selected.delete(r.id); });
    loadRuns(); updateSelection(); renderDetail(); return;
  }
  var cb = e.target.closest("input.pick");
  var tr = e.target.closest("tr[data-id]");
  if (!cb && tr && !e.target.closest("a,button")) { cb = tr.querySelector("input.pick"); if (cb) cb.checked = !cb.checked; }
  if (cb) {
    if (cb.checked) state.selected.set(cb.dataset.id, ""); else state.selected.delete(cb.dataset.id);
    cb.closest("tr").classList.toggle("sel", cb.checked);
    updateSelection();
    if (state.detail) renderDetail();
  }
});
$("live-list").addEventListener("click", function (e) {
  var b = e.target.closest("button.open-exp");
  if (!b) return;
  state.where = "id = '" + b.dataset.id + "'"; $("filter").value = state.where; state.offset = 0;
  state.selected = new Map([[b.dataset.id, ""]]); state.detail = "curves"; updateSelection();
  showPage("runs"); loadRuns().then(renderDetail);
});
$("prev").onclick = function () { state.offset = Math.max(0, state.offset - state.limit); loadRuns(); };
$("next").onclick = function () { if (state.offset + state.limit < state.total) { state.offset += state.limit; loadRuns(); } };
$("curves-btn").onclick = function () { showDetail("curves"); };
$("compare-btn").onclick = function () { showDetail("compare"); };
$("diff-btn").onclick = function () { showDetail("diff"); };
$("clear-btn").onclick = function () { state.selected.clear(); state.detail = null; updateSelection(); renderDetail(); loadRuns(); };
["top-metric", "top-order", "top-by"].forEach(function (id) { $(id).onchange = loadTop; });
["trend-metric", "trend-order"].forEach(function (id) { $(id).onchange = loadTrend; });
$("trend-branch").onchange = loadTrend;
window.addEventListener("hashchange", function () { readHash(); loadRuns(); });
readHash();
updateSelection();
refreshAll();
loadLive();
var events = new EventSource("/api/events");
events.onmessage = function (e) {
  var msg = JSON.parse(e.data);
  if (msg.changed) { $("status").textContent = "updated " + new Date().toLocaleTimeString(); refreshAll(); }
  if (msg.live) loadLive();
};
events.onerror = function () { $("status").textContent = "reconnecting to git exp ui…"; };
events.onopen = function () { if (/reconnecting/.test($("status").textContent)) $("status").textContent = ""; };
`;

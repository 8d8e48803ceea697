/**
 * The dashboard's browser code, served as /static/app.js. Plain ES2020 in the browser:
 * it asks the server for one page of rows at a time, never for every experiment.
 */
export const CLIENT_JS = String.raw`
"use strict";
var state = { where: "", sort: "created_at", desc: true, offset: 0, limit: 50, total: 0, columns: null, keys: null, selected: new Set(), rows: [] };
var PALETTE = ["#4e79a7","#f28e2b","#e15759","#76b7b2","#59a14f","#edc948","#b07aa1","#ff9da7","#9c755f","#bab0ac"];
function $(id) { return document.getElementById(id); }
function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return {"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c]; }); }
function fmt(v) {
  if (v == null) return "";
  if (typeof v === "number") { if (!isFinite(v)) return String(v); return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))); }
  if (typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity")) return v;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
function api(path, params) {
  var q = new URLSearchParams();
  Object.keys(params || {}).forEach(function (k) { if (params[k] !== undefined && params[k] !== null && params[k] !== "") q.set(k, params[k]); });
  return fetch(path + "?" + q.toString()).then(function (r) { return r.json(); });
}
function table(columns, rows, opts) {
  opts = opts || {};
  var h = "<table><thead><tr>" + (opts.select ? "<th></th>" : "");
  columns.forEach(function (c) {
    var sorted = opts.sort === c ? " class=\"sorted\" data-dir=\"" + (opts.desc ? " ▼" : " ▲") + "\"" : "";
    h += "<th data-col=\"" + esc(c) + "\"" + sorted + ">" + esc(c) + "</th>";
  });
  h += "</tr></thead><tbody>";
  rows.forEach(function (r) {
    var sel = opts.select && state.selected.has(r.id);
    h += "<tr data-id=\"" + esc(r.id) + "\"" + (sel ? " class=\"sel\"" : "") + ">" + (opts.select ? "<td><input type=\"checkbox\" data-id=\"" + esc(r.id) + "\"" + (sel ? " checked" : "") + "></td>" : "");
    columns.forEach(function (c) { var v = r[c]; h += "<td" + (typeof v === "number" ? " class=\"num\"" : "") + ">" + esc(fmt(v)) + "</td>"; });
    h += "</tr>";
  });
  return h + "</tbody></table>";
}
function visibleColumns() {
  if (state.columns) return state.columns;
  var base = ["id", "name", "status", "created_at"];
  var k = state.keys || { params: [], metrics: [] };
  return base.concat(k.params.slice(0, 4).map(function (p) { return "params." + p; })).concat(k.metrics.slice(0, 4).map(function (m) { return "metrics." + m; }));
}
function loadRuns() {
  var cols = visibleColumns();
  return api("/api/runs", { where: state.where, sort: state.sort, desc: state.desc ? "1" : "0", offset: state.offset, limit: state.limit, columns: cols.join(",") }).then(function (res) {
    var f = $("filter");
    if (res.error) {
      f.classList.add("bad");
      var pointer = res.error.column ? "\n" + " ".repeat(Math.max(0, res.error.column - 1)) + "^" : "";
      $("filter-error").textContent = res.error.message + (res.error.column ? pointer : "");
      return;
    }
    f.classList.remove("bad");
    $("filter-error").textContent = "";
    state.total = res.total; state.rows = res.rows;
    if (res.total === 0 && !state.where) {
      $("runs-table").innerHTML = "<div class=\"empty\"><b>No experiments yet.</b><br>Record a first one from your repository:<pre>git exp record --config config.json --results results.json\ngit exp run -- python train.py</pre>It shows up here without a restart.</div>";
    } else {
      $("runs-table").innerHTML = table(res.columns, res.rows, { select: true, sort: state.sort, desc: state.desc });
    }
    $("count").textContent = res.total + " experiments";
    $("page-info").textContent = res.total ? (state.offset + 1) + "–" + Math.min(state.offset + state.limit, res.total) + " of " + res.total : "";
  });
}
function loadKeys() {
  return api("/api/keys").then(function (k) {
    state.keys = k;
    var box = $("columns-box"), cols = visibleColumns(), h = "";
    ["id","name","status","created_at","branch","config_hash","tags"].concat(k.params.map(function (p) { return "params." + p; })).concat(k.metrics.map(function (m) { return "metrics." + m; })).forEach(function (c) {
      h += "<label><input type=\"checkbox\" value=\"" + esc(c) + "\"" + (cols.indexOf(c) >= 0 ? " checked" : "") + "> " + esc(c) + "</label>";
    });
    box.innerHTML = h;
    ["top-metric", "trend-metric"].forEach(function (id) { $(id).innerHTML = k.metrics.map(function (m) { return "<option>" + esc(m) + "</option>"; }).join(""); });
  });
}
var charts = [];
function drawChart(el, series, title) {
  charts.forEach(function (c) { c.destroy(); }); charts = [];
  var xs = Array.from(new Set([].concat.apply([], series.map(function (s) { return s.points.map(function (p) { return p[0]; }); })))).sort(function (a, b) { return a - b; });
  var data = [xs].concat(series.map(function (s) {
    var m = new Map(s.points.map(function (p) { return [p[0], p[1]]; }));
    return xs.map(function (x) { var y = m.get(x); return typeof y === "number" && isFinite(y) ? y : null; });
  }));
  var opts = { title: title, width: Math.min(1000, el.clientWidth || 900), height: 320, scales: { x: { time: false } },
    series: [{ label: "step" }].concat(series.map(function (s, i) { return { label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.6, spanGaps: false }; })) };
  el.innerHTML = "";
  charts.push(new uPlot(opts, data, el));
}
function showCurves(ids, metric) {
  var d = $("detail"); d.style.display = "block";
  api("/api/series", { ids: ids.join(","), metric: metric }).then(function (res) {
    if (res.error) { d.innerHTML = "<p class=\"muted\">" + esc(res.error.message) + "</p>"; return; }
    var sel = "<select id=\"curve-metric\">" + res.metrics.map(function (m) { return "<option" + (m === res.metric ? " selected" : "") + ">" + esc(m) + "</option>"; }).join("") + "</select>";
    d.innerHTML = "<div class=\"bar\"><b>Curves</b> " + sel + "</div><div id=\"curve-chart\"></div>";
    $("curve-metric").onchange = function (e) { showCurves(ids, e.target.value); };
    if (res.series.length) drawChart($("curve-chart"), res.series, res.metric); else $("curve-chart").innerHTML = "<p class=\"muted\">no series recorded for these runs</p>";
  });
}
function showCompare(ids) {
  var d = $("detail"); d.style.display = "block";
  api("/api/compare", { ids: ids.join(",") }).then(function (res) {
    if (res.error) { d.innerHTML = esc(res.error.message); return; }
    d.innerHTML = "<b>Compare</b> <span class=\"muted\">(rows that differ)</span>" + table(res.columns, res.rows);
  });
}
function showDiff(ids) {
  var d = $("detail"); d.style.display = "block";
  api("/api/diff", { a: ids[0], b: ids[1] }).then(function (res) {
    if (res.error) { d.innerHTML = esc(res.error.message); return; }
    d.innerHTML = "<b>Diff</b><pre>" + res.text.split("\n").map(function (l) { var cls = /^\s*\+/.test(l) ? " add" : /^\s*-/.test(l) ? " del" : ""; return "<span class=\"diffline" + cls + "\">" + esc(l) + "</span>"; }).join("\n") + "</pre>";
  });
}
function selectedIds() { return Array.from(state.selected); }
function loadTop() {
  var by = $("top-by").value;
  api("/api/top", { metric: $("top-metric").value, order: $("top-order").value, by: by }).then(function (res) {
    $("top-table").innerHTML = res.error ? "<p class=\"muted\">" + esc(res.error.message) + "</p>" : table(res.columns, res.rows);
  });
}
function loadTrend() {
  api("/api/trend", { metric: $("trend-metric").value, along: $("trend-branch").value, order: $("trend-order").value }).then(function (res) {
    if (res.error) { $("trend-chart").innerHTML = "<p class=\"muted\">" + esc(res.error.message) + "</p>"; $("trend-table").innerHTML = ""; return; }
    var pts = res.rows.map(function (r, i) { return [i, r.value]; });
    if (pts.length) drawChart($("trend-chart"), [{ label: "best " + res.metric, points: pts }], res.metric + " along " + res.along); else $("trend-chart").innerHTML = "<p class=\"muted\">no experiments on this branch's commits</p>";
    $("trend-table").innerHTML = table(res.columns, res.rows);
  });
}
function loadLive() {
  api("/api/live").then(function (res) {
    var el = $("live-list");
    if (!res.runs.length) { el.innerHTML = "<div class=\"empty\">No run in progress. Start one with <code>git exp run -- python train.py</code>; it appears here while it runs.</div>"; return; }
    el.innerHTML = res.runs.map(function (r, i) { return "<div class=\"live\"><b>" + esc(r.name || r.command.join(" ")) + "</b> <span class=\"muted\">pid " + r.pid + ", started " + esc(r.started_at) + "</span><div id=\"live-" + i + "\"></div></div>"; }).join("");
    res.runs.forEach(function (r, i) {
      var metric = Object.keys(r.series)[0];
      if (metric) new uPlot({ title: metric, width: 700, height: 200, scales: { x: { time: false } }, series: [{ label: "step" }, { label: metric, stroke: PALETTE[0] }] }, [r.series[metric].step, r.series[metric].value], $("live-" + i));
    });
  });
}
function refreshAll() { return loadKeys().then(loadRuns); }
document.querySelectorAll("nav button").forEach(function (b) {
  b.onclick = function () {
    document.querySelectorAll("nav button").forEach(function (x) { x.classList.toggle("on", x === b); });
    document.querySelectorAll("main section").forEach(function (s) { s.classList.toggle("on", s.id === "page-" + b.dataset.page); });
    if (b.dataset.page === "top") loadTop(); if (b.dataset.page === "trend") loadTrend(); if (b.dataset.page === "live") loadLive();
  };
});
var timer = null;
$("filter").addEventListener("input", function (e) { clearTimeout(timer); timer = setTimeout(function () { state.where = e.target.value; state.offset = 0; loadRuns(); }, 250); });
$("columns-btn").onclick = function () { var b = $("columns-box"); b.style.display = b.style.display === "block" ? "none" : "block"; };
$("columns-box").addEventListener("change", function () { state.columns = Array.from(document.querySelectorAll("#columns-box input:checked")).map(function (i) { return i.value; }); loadRuns(); });
$("runs-table").addEventListener("click", function (e) {
  var th = e.target.closest("th[data-col]");
  if (th) { var c = th.dataset.col; state.desc = state.sort === c ? !state.desc : false; state.sort = c; loadRuns(); return; }
  var cb = e.target.closest("input[type=checkbox]");
  if (cb) { if (cb.checked) state.selected.add(cb.dataset.id); else state.selected.delete(cb.dataset.id); cb.closest("tr").classList.toggle("sel", cb.checked); }
});
$("prev").onclick = function () { state.offset = Math.max(0, state.offset - state.limit); loadRuns(); };
$("next").onclick = function () { if (state.offset + state.limit < state.total) { state.offset += state.limit; loadRuns(); } };
$("curves-btn").onclick = function () { if (selectedIds().length) showCurves(selectedIds()); };
$("compare-btn").onclick = function () { if (selectedIds().length >= 2) showCompare(selectedIds()); };
$("diff-btn").onclick = function () { var ids = selectedIds(); if (ids.length === 2) showDiff(ids); else $("status").textContent = "select exactly two runs to diff"; };
["top-metric", "top-order", "top-by"].forEach(function (id) { $(id).onchange = loadTop; });
["trend-metric", "trend-order"].forEach(function (id) { $(id).onchange = loadTrend; });
$("trend-branch").onchange = loadTrend;
refreshAll();
var events = new EventSource("/api/events");
events.onmessage = function (e) {
  var msg = JSON.parse(e.data);
  if (msg.changed) { $("status").textContent = "updated " + new Date().toLocaleTimeString(); refreshAll(); }
  if (msg.live && document.querySelector("nav button.on").dataset.page === "live") loadLive();
};
`;

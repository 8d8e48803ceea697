/**
 * The dashboard's browser code, served as /static/app.js. Plain ES2017 in the browser:
 * it asks the server for one page of rows at a time, never for every experiment.
 * (No template literals inside: this text is itself a template literal.)
 */
export const CLIENT_JS = String.raw`
"use strict";
var state = { where: "", sort: "created_at", desc: true, offset: 0, limit: 50, total: 0, columns: null, keys: null, selected: new Map(), rows: [], detail: null, page: "runs",
  run: null, view: "", axes: null, brush: {}, sx: "", sy: "", sc: "" };
var PAGES = ["runs", "top", "trend", "live", "run"];
var BT = String.fromCharCode(96);
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
  var h = "<div class=\"scroll-box\"><div class=\"table-wrap\"><table><thead><tr>" + (opts.select ? "<th><input type=\"checkbox\" id=\"select-page\" title=\"select this page\"></th>" : "");
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
      var text = esc(fmt(v, c));
      if (c === "id" && v) text = "<a class=\"run-link\" href=\"#page=run&amp;run=" + esc(v) + "\" data-run=\"" + esc(v) + "\">" + text + "</a>";
      h += "<td" + (cls ? " class=\"" + cls + "\"" : "") + " title=\"" + esc(v == null ? "" : typeof v === "object" ? JSON.stringify(v) : v) + "\">" + text + "</td>";
    });
    h += "</tr>";
  });
  return h + "</tbody></table></div><div class=\"scroll-cue\" aria-hidden=\"true\">more columns →</div></div>";
}
/** A table wider than the page scrolls sideways; the cue shows while columns lie to the right. */
function updateScrollCues() {
  document.querySelectorAll(".scroll-box").forEach(function (box) {
    var w = box.querySelector(".table-wrap");
    if (!w) return;
    if (!w.dataset.cue) { w.dataset.cue = "1"; w.addEventListener("scroll", updateScrollCues); }
    box.classList.toggle("more-right", w.scrollLeft + w.clientWidth < w.scrollWidth - 2);
    box.classList.toggle("more-left", w.scrollLeft > 2);
  });
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
/** A key as the filter language reads it: back ticks around a part that is not a plain name. */
function keyText(k) {
  var m = /^(params|metrics)\.(.*)$/.exec(k);
  if (!m || /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(m[2])) return k;
  return m[1] + "." + BT + m[2].split(BT).join(BT + BT) + BT;
}
function literal(v) { return typeof v === "number" ? String(v) : "'" + String(v).split("'").join("''") + "'"; }
/** The axis filters of parallel coordinates as filter text: a range, or a set of categories. */
function brushWhere() {
  return Object.keys(state.brush).sort().map(function (k) {
    var b = state.brush[k], key = keyText(k);
    if (b.cats) return "(" + b.cats.map(function (c) { return key + " = " + literal(c); }).join(" or ") + ")";
    return "(" + key + " >= " + b.lo + " and " + key + " <= " + b.hi + ")";
  }).join(" and ");
}
function effectiveWhere() {
  var b = brushWhere();
  if (!b) return state.where;
  return state.where ? "(" + state.where + ") and " + b : b;
}
function loadRuns() {
  var cols = visibleColumns();
  var where = effectiveWhere();
  var asked = { where: where, sort: state.sort, desc: state.desc, offset: state.offset, columns: cols.join(",") };
  saveHash();
  renderBrushInfo();
  return api("/api/runs", { where: where, sort: state.sort, desc: state.desc ? "1" : "0", offset: state.offset, limit: state.limit, columns: cols.join(",") }).then(function (res) {
    if (asked.where !== effectiveWhere() || asked.sort !== state.sort || asked.desc !== state.desc || asked.offset !== state.offset) return;
    if (res.error) {
      if (res.error.code === "EUSAGE" && state.sort !== "created_at" && /sort/.test(res.error.message)) { state.sort = "created_at"; state.desc = true; return loadRuns(); }
      // The typed filter sits one column in, inside the brackets the axis filters add.
      if (res.error.column && where !== state.where) res.error.column -= 1;
      showFilterError(res.error);
      $("runs-table").classList.add("muted");
      return;
    }
    $("filter").classList.remove("bad");
    $("filter-error").textContent = "";
    $("runs-table").classList.remove("muted");
    state.total = res.total; state.rows = res.rows;
    if (res.total === 0 && !where) {
      $("runs-table").innerHTML = "<div class=\"empty\"><b>No experiments yet.</b> Record a first one from this repository:" +
        "<pre>git exp run -- python train.py          # runs it, records config, metrics, environment\n" +
        "git exp record --config config.json --results results.json</pre>" +
        "It shows up here by itself, no restart needed. A run in progress appears under <b>Live</b>.</div>";
    } else if (res.total === 0) {
      $("runs-table").innerHTML = "<div class=\"empty\">No experiment matches this filter" + (where !== state.where ? " and the axis filters" : "") + ".</div>";
    } else {
      $("runs-table").innerHTML = table(res.columns, res.rows, { select: true, sortable: true, sort: state.sort, desc: state.desc });
      var all = $("select-page");
      if (all) all.checked = res.rows.length > 0 && res.rows.every(function (r) { return state.selected.has(r.id); });
      updateScrollCues();
      if (!window.__tableMs) window.__tableMs = performance.now();
    }
    $("count").textContent = res.total + (res.total === 1 ? " experiment" : " experiments") + (where ? " match" : "");
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
  $("media-btn").disabled = n < 1;
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
  if (state.detail === "media") return showMedia(ids);
}
function showCurves(ids, metric) {
  var d = $("detail");
  api("/api/series", { ids: ids.join(","), metric: metric }).then(function (res) {
    if (res.error) { d.innerHTML = errorBox(res.error.message); return; }
    if (!res.metric) { d.innerHTML = "<h3>Curves</h3>" + errorBox("the selected runs recorded no metric history (series)"); return; }
    state.curveMetric = res.metric;
    var sel = "<select id=\"curve-metric\">" + res.metrics.map(function (m) { return "<option" + (m === res.metric ? " selected" : "") + ">" + esc(m) + "</option>"; }).join("") + "</select>";
    var missing = ids.length - res.series.length;
    d.innerHTML = "<div class=\"bar\"><h3>Curves</h3> " + sel + " <label title=\"one curve per group of repeats (the same config but for the repeat keys: seed, or gitexp.json repeat_keys)\"><input type=\"checkbox\" id=\"curve-bands\"" + (state.bands ? " checked" : "") + "> seed bands (mean ± std)</label>" +
      (missing > 0 ? " <span class=\"muted\">" + missing + " selected run(s) have no " + esc(res.metric) + " series</span>" : "") + "</div><div id=\"curve-chart\" class=\"chart\"></div>";
    $("curve-metric").onchange = function (e) { state.curveMetric = e.target.value; showCurves(ids, e.target.value); };
    $("curve-bands").onchange = function (e) { state.bands = e.target.checked; showCurves(ids, state.curveMetric); };
    destroyChart("curves");
    if (state.bands && res.series.length) return drawBands(ids, res.metric);
    if (res.series.length) drawChart("curves", $("curve-chart"), res.series, { title: res.metric, yLabel: res.metric, fresh: true });
  });
}
/** Mean curves of groups of repeats, each with its band: uPlot draws the fill between two hidden series. */
function drawBands(ids, metric) {
  api("/api/bands", { ids: ids.join(","), metric: metric }).then(function (res) {
    var el = $("curve-chart");
    if (!el) return;
    if (res.error) { el.innerHTML = errorBox(res.error.message); return; }
    var lines = [];
    res.series.forEach(function (g) {
      lines.push({ label: g.label, points: g.points });
      lines.push({ label: "lo", points: g.band.map(function (b) { return [b[0], b[1]]; }) });
      lines.push({ label: "hi", points: g.band.map(function (b) { return [b[0], b[2]]; }) });
    });
    var data = chartData(lines);
    var series = [{ label: "step" }], bands = [];
    res.series.forEach(function (g, i) {
      var c = PALETTE[i % PALETTE.length], at = 1 + i * 3;
      series.push({ label: g.label, stroke: c, width: 2 }, { label: "", stroke: "transparent", show: true, points: { show: false } }, { label: "", stroke: "transparent", points: { show: false } });
      bands.push({ series: [at + 2, at + 1], fill: c + "33" });
    });
    el.innerHTML = "";
    el.dataset.groups = String(res.series.length);
    charts.curves = new uPlot({ title: metric + " by group of repeats", width: Math.max(320, Math.min(1100, (el.clientWidth || 900) - 4)), height: 320, scales: { x: { time: false } },
      legend: { live: true }, axes: [{ label: "step" }, { label: metric, size: 60 }], series: series, bands: bands }, data, el);
    // the band's edges are series only to carry the fill: keep them out of the legend
    el.querySelectorAll(".u-legend .u-series").forEach(function (row, i) { if (i > 0 && i % 3 !== 1) row.style.display = "none"; });
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

/* ---- parallel coordinates and scatter over the filtered runs ---- */
function defaultAxes() {
  var d = (state.keys && state.keys.defaults) || [];
  var ps = d.filter(function (c) { return c.indexOf("params.") === 0; });
  var ms = d.filter(function (c) { return c.indexOf("metrics.") === 0; });
  return ps.slice(0, 6).concat(ms.slice(0, 2));
}
function allKeys() {
  var k = state.keys || { params: [], metrics: [] };
  return k.params.map(function (p) { return "params." + p; }).concat(k.metrics.map(function (m) { return "metrics." + m; }));
}
function keyOptions(selected, blank) {
  return (blank ? "<option value=\"\">" + esc(blank) + "</option>" : "") + allKeys().map(function (c) { return "<option" + (c === selected ? " selected" : "") + ">" + esc(c) + "</option>"; }).join("");
}
function showView(view) {
  state.view = state.view === view ? "" : view;
  saveHash();
  renderView();
}
function renderView() {
  ["parallel", "scatter"].forEach(function (v) { $("view-" + v + "-btn").classList.toggle("primary", state.view === v); });
  var box = $("view");
  if (!state.view || !state.keys) { box.style.display = "none"; box.innerHTML = ""; return; }
  box.style.display = "block";
  if (state.view === "parallel") return drawParallel();
  if (state.view === "scatter") return drawScatter();
}
/** Where an axis puts a value, 0 (bottom) to 1 (top); categories evenly spaced, sorted. */
function axisScale(col) {
  if (col.kind === "category") {
    var cats = Array.from(new Set(col.values.filter(function (v) { return v !== null; }))).sort();
    var at = new Map(cats.map(function (c, i) { return [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]; }));
    return { cats: cats, pos: function (v) { return v === null ? null : at.get(v); }, label: function (t) { return cats[Math.round(t * (cats.length - 1))]; } };
  }
  var r = minMax(col.values), lo = r[0], hi = r[1];
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  return { lo: lo, hi: hi, pos: function (v) { return typeof v === "number" ? (v - lo) / (hi - lo) : null; }, value: function (t) { return lo + t * (hi - lo); } };
}
function minMax(values) {
  var lo = Infinity, hi = -Infinity;
  for (var i = 0; i < values.length; i++) { var v = values[i]; if (typeof v === "number") { if (v < lo) lo = v; if (v > hi) hi = v; } }
  return lo === Infinity ? [0, 1] : [lo, hi];
}
function colourRamp(t) {
  // from blue (low) to orange (high): readable on white, and for most colour blindness
  var a = [47, 109, 181], b = [242, 142, 43];
  return "rgb(" + a.map(function (x, i) { return Math.round(x + (b[i] - x) * t); }).join(",") + ")";
}
var pcData = null;
function drawParallel() {
  var t0 = performance.now();
  var axes = state.axes || defaultAxes();
  var box = $("view");
  if (axes.length < 2) axes = allKeys().slice(0, 2);
  if (axes.length < 2) { box.innerHTML = errorBox("parallel coordinates need two params or metrics"); return; }
  box.innerHTML = "<div class=\"bar\"><h3>Parallel coordinates</h3><span class=\"muted\" id=\"pc-info\"></span><span class=\"spacer\"></span>add axis <select id=\"pc-add\">" + keyOptions("", "choose…") + "</select></div>" +
    "<div id=\"pc\" class=\"pc\"><canvas id=\"pc-canvas\"></canvas></div><p class=\"muted\">drag along an axis to keep the runs in a range (the table follows); click an axis to clear it</p>";
  $("pc-add").onchange = function (e) { if (e.target.value && axes.indexOf(e.target.value) < 0) { state.axes = axes.concat([e.target.value]); saveHash(); drawParallel(); } };
  return api("/api/matrix", { where: state.where, keys: axes.join(",") }).then(function (res) {
    if (state.view !== "parallel") return;
    if (res.error) { $("pc").innerHTML = errorBox(res.error.message); return; }
    var t1 = performance.now();
    pcData = res;
    paintParallel();
    var t2 = performance.now();
    // Read by npm run bench ui: how long the first paint took, from the page's start.
    window.__pcTiming = { runs: res.ids.length, fetchMs: t1 - t0, drawMs: t2 - t1, totalMs: t2 - t0, sinceStartMs: t2 };
    $("pc").dataset.painted = String(res.ids.length);
  });
}
function paintParallel() {
  var res = pcData, pc = $("pc");
  if (!res || !pc) return;
  var cols = res.columns, n = cols.length, W = Math.max(480, (pc.clientWidth || 900)), H = 320, top = 34, bottom = 22, pad = 60;
  var canvas = $("pc-canvas"), ratio = window.devicePixelRatio || 1;
  canvas.width = W * ratio; canvas.height = H * ratio; canvas.style.width = W + "px"; canvas.style.height = H + "px";
  var g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, W, H);
  var xs = cols.map(function (c, i) { return pad + i * (W - 2 * pad) / (n - 1); });
  var scales = cols.map(axisScale);
  var h = H - top - bottom;
  var colourBy = cols[n - 1], cr = minMax(colourBy.values);
  var kept = 0;
  var inBrush = function (r) {
    for (var i = 0; i < n; i++) {
      var b = state.brush[cols[i].key];
      if (!b) continue;
      var v = cols[i].values[r];
      if (v === null) return false;
      if (b.cats ? b.cats.indexOf(v) < 0 : (v < b.lo || v > b.hi)) return false;
    }
    return true;
  };
  var addLine = function (r) {
    var pen = false;
    for (var i = 0; i < n; i++) {
      var p = scales[i].pos(cols[i].values[r]);
      if (p === null || p === undefined) { pen = false; continue; }
      var y = top + (1 - p) * h;
      if (pen) g.lineTo(xs[i], y); else g.moveTo(xs[i], y);
      pen = true;
    }
  };
  var rows = res.ids.length, alpha = rows > 2000 ? 0.18 : rows > 300 ? 0.4 : 0.8;
  var brushed = Object.keys(state.brush).length > 0;
  // Lines go into 17 paths, one a colour (16 steps of the ramp, grey for no value), each
  // stroked once: 10,000 runs are 17 strokes, not 10,000.
  var BANDS = 16, faded = [], bands = [];
  for (var k = 0; k <= BANDS; k++) bands.push([]);
  var band = function (r) { var c = colourBy.values[r]; return typeof c === "number" ? Math.min(BANDS - 1, Math.floor(((c - cr[0]) / ((cr[1] - cr[0]) || 1)) * BANDS)) : BANDS; };
  for (var r = 0; r < rows; r++) {
    if (brushed && !inBrush(r)) faded.push(r);
    else { bands[band(r)].push(r); kept++; }
  }
  var strokeAll = function (list, style) {
    if (!list.length) return;
    g.strokeStyle = style;
    g.beginPath();
    list.forEach(function (r) { addLine(r); });
    g.stroke();
  };
  g.lineWidth = 1;
  strokeAll(faded, "rgba(160,166,175,0.15)");
  var a = brushed ? Math.max(alpha, 0.6) : alpha;
  bands.forEach(function (list, k) { strokeAll(list, k === BANDS ? "rgba(120,126,135," + a + ")" : colourRamp((k + 0.5) / BANDS).replace("rgb", "rgba").replace(")", "," + a + ")")); });
  $("pc-info").textContent = (res.total > res.ids.length ? "the newest " + res.ids.length + " of " + res.total : res.ids.length) + " runs" + (brushed ? ", " + kept + " inside the axis filters" : "") + "; colour: " + colourBy.key;
  // axes as elements over the canvas: labels, ends, the brush, and the mouse
  Array.prototype.slice.call(pc.querySelectorAll(".pc-axis")).forEach(function (a) { a.remove(); });
  cols.forEach(function (c, i) {
    var s = scales[i], a = document.createElement("div");
    a.className = "pc-axis"; a.dataset.key = c.key;
    a.style.left = (xs[i] - 12) + "px"; a.style.top = top + "px"; a.style.height = h + "px";
    var topText = c.kind === "category" ? s.cats[s.cats.length - 1] : fmt(s.hi), lowText = c.kind === "category" ? s.cats[0] : fmt(s.lo);
    a.innerHTML = "<div class=\"pc-label\" title=\"" + esc(c.key) + "\">" + esc(c.key.replace(/^(params|metrics)\./, "")) + " <button class=\"pc-remove\" title=\"remove this axis\">×</button></div>" +
      "<div class=\"pc-end pc-hi\">" + esc(topText == null ? "" : topText) + "</div><div class=\"pc-end pc-lo\">" + esc(lowText == null ? "" : lowText) + "</div>";
    var b = state.brush[c.key];
    if (b) {
      var p1, p2;
      if (b.cats) { var ps = b.cats.map(function (x) { return s.pos(x); }).filter(function (x) { return x != null; }); p1 = Math.min.apply(null, ps); p2 = Math.max.apply(null, ps); }
      else { p1 = s.pos(b.lo); p2 = s.pos(b.hi); }
      var d = document.createElement("div");
      d.className = "pc-brush";
      d.style.top = ((1 - Math.min(1, p2)) * h - 3) + "px"; d.style.height = (Math.max(0, Math.min(1, p2) - Math.max(0, p1)) * h + 6) + "px";
      a.appendChild(d);
    }
    a.addEventListener("mousedown", function (e) { if (!e.target.closest(".pc-remove")) startBrush(e, a, c, s, h); });
    a.querySelector(".pc-remove").onclick = function () {
      var axes = (state.axes || defaultAxes()).filter(function (k) { return k !== c.key; });
      state.axes = axes; delete state.brush[c.key]; saveHash(); drawParallel(); loadRuns();
    };
    pc.appendChild(a);
  });
}
function startBrush(e, axis, col, scale, h) {
  e.preventDefault();
  var box = axis.getBoundingClientRect(), y0 = e.clientY - box.top, live = document.createElement("div");
  live.className = "pc-brush"; axis.appendChild(live);
  var move = function (ev) { var y = Math.max(0, Math.min(h, ev.clientY - box.top)); live.style.top = Math.min(y, y0) + "px"; live.style.height = Math.abs(y - y0) + "px"; };
  var up = function (ev) {
    document.removeEventListener("mousemove", move); document.removeEventListener("mouseup", up);
    var y1 = Math.max(0, Math.min(h, ev.clientY - box.top));
    if (Math.abs(y1 - y0) < 4) delete state.brush[col.key];
    else {
      // A drag that starts or ends within a few pixels of an axis end takes in that end's value.
      var a = Math.max(y0, y1) >= h - 4 ? 0 : 1 - Math.max(y0, y1) / h, b = Math.min(y0, y1) <= 4 ? 1 : 1 - Math.min(y0, y1) / h;
      if (col.kind === "category") {
        var cats = scale.cats.filter(function (c) { var p = scale.pos(c); return p >= a - 1e-9 && p <= b + 1e-9; });
        if (cats.length) state.brush[col.key] = { cats: cats }; else delete state.brush[col.key];
      } else state.brush[col.key] = { lo: a === 0 ? scale.lo : Number(scale.value(a).toPrecision(6)), hi: b === 1 ? scale.hi : Number(scale.value(b).toPrecision(6)) };
    }
    state.offset = 0;
    saveHash(); paintParallel(); loadRuns();
  };
  document.addEventListener("mousemove", move); document.addEventListener("mouseup", up);
}
function renderBrushInfo() {
  var el = $("brush-info"), b = brushWhere();
  el.innerHTML = b ? "axis filters: <code>" + esc(b) + "</code> <button id=\"brush-clear\">clear</button>" : "";
  if (b) $("brush-clear").onclick = function () { state.brush = {}; state.offset = 0; saveHash(); loadRuns(); if (state.view === "parallel") paintParallel(); };
}
function niceStep(span) { var p = Math.pow(10, Math.floor(Math.log10(span / 5 || 1))); var m = span / 5 / p; return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p; }
function drawScatter() {
  var box = $("view");
  var keys = allKeys();
  var d = defaultAxes();
  var x = state.sx || d[0] || keys[0] || "", y = state.sy || d[d.length - 1] || keys[1] || "", c = state.sc;
  box.innerHTML = "<div class=\"bar\"><h3>Scatter</h3> x <select id=\"sc-x\">" + keyOptions(x) + "</select> y <select id=\"sc-y\">" + keyOptions(y) + "</select> colour by <select id=\"sc-c\">" +
    keyOptions(c, "nothing") + "</select><span class=\"muted\" id=\"sc-info\"></span></div><div id=\"scatter\"></div><p class=\"muted\">click a point to open its run</p>";
  ["sc-x", "sc-y", "sc-c"].forEach(function (id) { $(id).onchange = function () { state.sx = $("sc-x").value; state.sy = $("sc-y").value; state.sc = $("sc-c").value; saveHash(); drawScatter(); }; });
  if (!x || !y) { $("scatter").innerHTML = errorBox("no params or metrics recorded yet"); return; }
  return api("/api/matrix", { where: effectiveWhere(), keys: [x, y].concat(c ? [c] : []).join(",") }).then(function (res) {
    if (state.view !== "scatter") return;
    if (res.error) { $("scatter").innerHTML = errorBox(res.error.message); return; }
    var W = Math.max(480, Math.min(1000, ($("scatter").clientWidth || 900))), H = 420, L = 70, R = 20, T = 16, B = 44;
    var cx = res.columns[0], cy = res.columns[1], cc = res.columns[2];
    var sx = axisScale(cx), sy = axisScale(cy), cr = cc && cc.kind === "number" ? minMax(cc.values) : null;
    var cats = cc && cc.kind === "category" ? Array.from(new Set(cc.values.filter(function (v) { return v !== null; }))).sort() : [];
    var px = function (v) { var p = sx.pos(v); return p == null ? null : L + p * (W - L - R); };
    var py = function (v) { var p = sy.pos(v); return p == null ? null : T + (1 - p) * (H - T - B); };
    var svg = "<svg id=\"scatter-svg\" width=\"" + W + "\" height=\"" + H + "\" viewBox=\"0 0 " + W + " " + H + "\" font-size=\"11\">";
    var ticks = function (s, col, horizontal) {
      var out = "";
      if (col.kind === "category") s.cats.forEach(function (k) { out += tick(s.pos(k), k, horizontal); });
      else { var step = niceStep(s.hi - s.lo); for (var v = Math.ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step) out += tick(s.pos(v), fmt(Number(v.toPrecision(10))), horizontal); }
      return out;
    };
    var tick = function (p, label, horizontal) {
      if (horizontal) { var X = L + p * (W - L - R); return "<line x1=\"" + X + "\" x2=\"" + X + "\" y1=\"" + (H - B) + "\" y2=\"" + (H - B + 4) + "\" stroke=\"#888\"/><text x=\"" + X + "\" y=\"" + (H - B + 16) + "\" text-anchor=\"middle\" fill=\"#555\">" + esc(label) + "</text>"; }
      var Y = T + (1 - p) * (H - T - B);
      return "<line x1=\"" + (L - 4) + "\" x2=\"" + W + "\" y1=\"" + Y + "\" y2=\"" + Y + "\" stroke=\"#eceef1\"/><text x=\"" + (L - 7) + "\" y=\"" + (Y + 4) + "\" text-anchor=\"end\" fill=\"#555\">" + esc(label) + "</text>";
    };
    svg += ticks(sy, cy, false) + ticks(sx, cx, true);
    svg += "<line x1=\"" + L + "\" x2=\"" + (W - R) + "\" y1=\"" + (H - B) + "\" y2=\"" + (H - B) + "\" stroke=\"#888\"/>";
    svg += "<text x=\"" + ((L + W - R) / 2) + "\" y=\"" + (H - 6) + "\" text-anchor=\"middle\" fill=\"#333\">" + esc(cx.key) + "</text>";
    svg += "<text transform=\"translate(14," + ((T + H - B) / 2) + ") rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">" + esc(cy.key) + "</text>";
    var shown = 0;
    for (var r = 0; r < res.ids.length; r++) {
      var X = px(cx.values[r]), Y = py(cy.values[r]);
      if (X == null || Y == null) continue;
      var v = cc ? cc.values[r] : null;
      var fill = !cc || v === null ? "#2f6db5" : cr ? colourRamp((v - cr[0]) / ((cr[1] - cr[0]) || 1)) : PALETTE[cats.indexOf(v) % PALETTE.length];
      svg += "<circle class=\"pt\" data-id=\"" + esc(res.ids[r]) + "\" cx=\"" + X.toFixed(1) + "\" cy=\"" + Y.toFixed(1) + "\" r=\"4.5\" fill=\"" + fill + "\" fill-opacity=\"0.8\"><title>" +
        esc((res.names[r] || res.ids[r].slice(0, 10)) + "\n" + cx.key + " = " + fmt(cx.values[r]) + "\n" + cy.key + " = " + fmt(cy.values[r]) + (cc ? "\n" + cc.key + " = " + fmt(v) : "")) + "</title></circle>";
      shown++;
    }
    svg += "</svg>";
    var legend = cc ? "<div class=\"muted\">" + (cr ? esc(cc.key) + ": <span style=\"color:" + colourRamp(0) + "\">● " + esc(fmt(cr[0])) + "</span> → <span style=\"color:" + colourRamp(1) + "\">● " + esc(fmt(cr[1])) + "</span>"
      : cats.slice(0, 12).map(function (k, i) { return "<span style=\"color:" + PALETTE[i % PALETTE.length] + "\">●</span> " + esc(k); }).join(" &nbsp;")) + "</div>" : "";
    $("scatter").innerHTML = svg + legend;
    $("sc-info").textContent = shown + " of " + res.total + " runs have both values";
  });
}

/* ---- one run: its system metrics, its media ---- */
function openRun(id) { state.run = id; showPage("run"); }
function mediaUrl(id, path) { return "/api/media?id=" + encodeURIComponent(id) + "&path=" + encodeURIComponent(path); }
function loadRun() {
  var el = $("run-view");
  Object.keys(charts).forEach(function (k) { if (k.indexOf("sys:") === 0) destroyChart(k); });
  if (!state.run) { el.innerHTML = errorBox("open a run from the runs table (its id) or a scatter point"); return; }
  el.innerHTML = "<p class=\"muted\">loading…</p>";
  api("/api/run", { id: state.run }).then(function (r) {
    if (res_error(r, el)) return;
    var kv = function (obj) { var ks = Object.keys(obj); return ks.length ? table(["key", "value"], ks.map(function (k) { return { key: k, value: obj[k] }; })) : "<p class=\"muted\">none</p>"; };
    var h = "<div class=\"bar\"><button id=\"run-back\">◀ runs</button><h3>" + esc(r.name || "(unnamed)") + "</h3><code class=\"muted\" id=\"run-id\">" + esc(r.id) + "</code><span class=\"muted\">" + esc(r.status) + ", " + esc(fmt(r.created_at, "created_at")) + "</span></div>";
    h += "<div class=\"two\"><div><h4>Params</h4>" + kv(r.params) + "</div><div><h4>Metrics</h4>" + kv(r.metrics) + "</div></div>";
    h += "<h4>System metrics</h4>" + (r.system.length ? "<div id=\"run-system\" class=\"live-charts\">" + r.system.map(function (s, i) { return "<div class=\"sys-chart\" id=\"sys-" + i + "\" data-metric=\"" + esc(s.metric) + "\"></div>"; }).join("") + "</div>"
      : "<p class=\"muted\">none recorded (git exp run samples CPU, memory and GPUs every 10 s unless --no-system-metrics)</p>");
    h += "<h4>Media</h4>" + (r.media.length ? r.media.map(function (m, i) {
      var last = m.items.length - 1;
      return "<div class=\"media\" data-key=\"" + esc(m.key) + "\"><div class=\"bar\"><b>" + esc(m.key) + "</b> <input type=\"range\" class=\"media-step\" data-i=\"" + i + "\" min=\"0\" max=\"" + last + "\" value=\"" + last + "\"" + (last ? "" : " disabled") +
        "> <span class=\"media-label\">step " + m.items[last].step + "</span> <span class=\"muted\">" + m.items.length + " image(s)</span></div><img class=\"media-img\" alt=\"" + esc(m.key) + "\" src=\"" + esc(mediaUrl(r.id, m.items[last].path)) + "\"></div>";
    }).join("") : "<p class=\"muted\">no images logged</p>");
    el.innerHTML = h;
    $("run-back").onclick = function () { showPage("runs"); };
    el.querySelectorAll("input.media-step").forEach(function (inp) {
      inp.oninput = function () {
        var m = r.media[Number(inp.dataset.i)], item = m.items[Number(inp.value)], box = inp.closest(".media");
        box.querySelector(".media-label").textContent = "step " + item.step;
        box.querySelector(".media-img").src = mediaUrl(r.id, item.path);
      };
    });
    r.system.forEach(function (s, i) {
      drawChart("sys:" + s.metric, $("sys-" + i), [{ label: s.metric, points: s.points }], { title: s.metric, height: 200, maxWidth: 520, xLabel: "seconds", yLabel: s.metric.replace(/^system\//, ""), fresh: true });
    });
  });
}
function res_error(r, el) { if (r.error) { el.innerHTML = errorBox(r.error.message); return true; } return false; }
/** The same step of one media key across the selected runs, side by side. */
function showMedia(ids) {
  var d = $("detail");
  Promise.all(ids.slice(0, 8).map(function (id) { return api("/api/run", { id: id }); })).then(function (runs) {
    var bad = runs.filter(function (r) { return r.error; })[0];
    if (bad) { d.innerHTML = errorBox(bad.error.message); return; }
    var keys = Array.from(new Set([].concat.apply([], runs.map(function (r) { return r.media.map(function (m) { return m.key; }); })))).sort();
    if (!keys.length) { d.innerHTML = "<h3>Media</h3>" + errorBox("the selected runs logged no images"); return; }
    var key = keys.indexOf(state.mediaKey) >= 0 ? state.mediaKey : keys[0];
    var steps = Array.from(new Set([].concat.apply([], runs.map(function (r) { var m = r.media.filter(function (x) { return x.key === key; })[0]; return m ? m.items.map(function (i) { return i.step; }) : []; })))).sort(function (a, b) { return a - b; });
    d.innerHTML = "<div class=\"bar\"><h3>Media</h3> <select id=\"media-key\">" + keys.map(function (k) { return "<option" + (k === key ? " selected" : "") + ">" + esc(k) + "</option>"; }).join("") + "</select> step <input type=\"range\" id=\"media-all-step\" min=\"0\" max=\"" + (steps.length - 1) + "\" value=\"" + (steps.length - 1) + "\"> <span id=\"media-all-label\"></span></div><div id=\"media-side\" class=\"media-side\"></div>";
    var paint = function () {
      var step = steps[Number($("media-all-step").value)];
      $("media-all-label").textContent = String(step);
      $("media-side").innerHTML = runs.map(function (r) {
        var m = r.media.filter(function (x) { return x.key === key; })[0];
        var item = m ? m.items.filter(function (i) { return i.step <= step; }).pop() : null;
        return "<figure><figcaption>" + esc(r.name || r.id.slice(0, 10)) + (item && item.step !== step ? " <span class=\"muted\">(step " + item.step + ")</span>" : "") + "</figcaption>" +
          (item ? "<img src=\"" + esc(mediaUrl(r.id, item.path)) + "\" alt=\"" + esc(key) + "\">" : "<p class=\"muted\">no image by this step</p>") + "</figure>";
      }).join("");
    };
    $("media-key").onchange = function (e) { state.mediaKey = e.target.value; showMedia(ids); };
    $("media-all-step").oninput = paint;
    paint();
  });
}

/* ---- navigation, state in the address ---- */
function saveHash() {
  var h = new URLSearchParams();
  if (state.page !== "runs") h.set("page", state.page);
  if (state.page === "run" && state.run) h.set("run", state.run);
  if (state.where) h.set("where", state.where);
  if (state.sort !== "created_at" || !state.desc) { h.set("sort", state.sort); h.set("desc", state.desc ? "1" : "0"); }
  if (state.offset) h.set("offset", state.offset);
  if (state.columns) h.set("columns", state.columns.join(","));
  if (state.view) h.set("view", state.view);
  if (state.axes) h.set("axes", state.axes.join(","));
  if (Object.keys(state.brush).length) h.set("brush", JSON.stringify(state.brush));
  if (state.sx) h.set("sx", state.sx);
  if (state.sy) h.set("sy", state.sy);
  if (state.sc) h.set("sc", state.sc);
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
  state.page = PAGES.indexOf(h.get("page")) >= 0 ? h.get("page") : "runs";
  state.run = h.get("run") || null;
  state.view = h.get("view") === "parallel" || h.get("view") === "scatter" ? h.get("view") : "";
  state.axes = h.get("axes") ? h.get("axes").split(",") : null;
  try { state.brush = h.get("brush") ? JSON.parse(h.get("brush")) : {}; } catch (e) { state.brush = {}; }
  if (!state.brush || typeof state.brush !== "object") state.brush = {};
  state.sx = h.get("sx") || ""; state.sy = h.get("sy") || ""; state.sc = h.get("sc") || "";
  $("filter").value = state.where;
}
function showPage(page) {
  state.page = page;
  saveHash();
  $("run-tab").style.display = state.run ? "" : "none";
  document.querySelectorAll("nav button").forEach(function (x) { x.classList.toggle("on", x.dataset.page === page); });
  document.querySelectorAll("main section").forEach(function (s) { s.classList.toggle("on", s.id === "page-" + page); });
  if (page === "top") loadTop();
  if (page === "trend") loadTrend();
  if (page === "live") { liveShown = ""; loadLive(); }
  if (page === "run") loadRun();
  if (page === "runs") updateScrollCues();
}
function refreshAll() {
  return loadKeys().then(loadRuns).then(function () {
    if (state.detail) renderDetail();
    if (state.view) renderView();
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
  if (th) { var c = th.dataset.col; state.desc = state.sort === c ? !state.desc : firstDescending(c); state.sort = c; state.offset = 0; loadRuns(); return; }
  var link = e.target.closest("a.run-link");
  if (link) { e.preventDefault(); openRun(link.dataset.run); return; }
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
/** A first click sorts best first: a metric where lower is better ascending, one where higher is better descending. */
function firstDescending(c) {
  if (c.indexOf("metrics.") === 0) return !(state.keys && state.keys.lower && state.keys.lower.indexOf(c.slice(8)) >= 0);
  return !/^(id|name|branch|status|config_hash|source_commit|created_by|message|params\.)/.test(c);
}
$("view-parallel-btn").onclick = function () { showView("parallel"); };
$("view-scatter-btn").onclick = function () { showView("scatter"); };
$("view").addEventListener("click", function (e) { var pt = e.target.closest("circle.pt"); if (pt) openRun(pt.dataset.id); });
$("media-btn").onclick = function () { showDetail("media"); };
window.addEventListener("resize", function () { updateScrollCues(); if (state.view === "parallel") paintParallel(); });
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
window.addEventListener("hashchange", function () { var page = state.page, run = state.run; readHash(); loadRuns(); if (state.page !== page || state.run !== run) showPage(state.page); renderView(); });
readHash();
updateSelection();
showPage(state.page);
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

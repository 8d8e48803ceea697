/**
 * The dashboard: one page, no framework, no network but its own server. Charts use uPlot,
 * served from the installed package (/static/uplot.js), so it works offline.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>git exp</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/uplot.css">
<style>
:root{--b:#ddd;--m:#777;--a:#4e79a7}
body{font-family:system-ui,sans-serif;margin:0;color:#222;font-size:14px}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--b);background:#fafafa}
header h1{font-size:1.1rem;margin:0}nav button{background:none;border:0;padding:.4rem .7rem;cursor:pointer;font-size:14px}
nav button.on{border-bottom:2px solid var(--a);font-weight:600}
main{padding:1rem}section{display:none}section.on{display:block}
#filter{width:min(720px,90%);font-family:monospace;padding:.4rem}#filter.bad{border-color:#e15759;background:#fff4f4}
#filter-error{color:#c0392b;font-family:monospace;white-space:pre;margin:.3rem 0;min-height:1.2em}
table{border-collapse:collapse;font-size:13px;margin-top:.5rem}th,td{border-bottom:1px solid var(--b);padding:3px 8px;text-align:left;white-space:nowrap}
th{background:#f4f4f4;cursor:pointer;user-select:none;position:sticky;top:0}th.sorted::after{content:attr(data-dir)}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.sel{background:#eef4fb}
.bar{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}.muted{color:var(--m)}
#columns-box{display:none;border:1px solid var(--b);padding:.5rem;max-height:220px;overflow:auto;columns:3}
#columns-box label{display:block}.panel{border:1px solid var(--b);padding:.6rem;margin-top:1rem}
.empty{padding:2rem;border:1px dashed var(--b);color:var(--m);max-width:720px}
pre{background:#f8f8f8;padding:.6rem;overflow:auto}.live{border-left:4px solid #59a14f;padding-left:.6rem;margin:.6rem 0}
.diffline.add{color:#2e7d32}.diffline.del{color:#c62828}
</style></head><body>
<header><h1>git exp</h1><nav>
<button data-page="runs" class="on">Runs</button><button data-page="top">Leaderboard</button><button data-page="trend">Trend</button><button data-page="live">Live</button>
</nav><span class="muted" id="status"></span></header>
<main>
<section id="page-runs" class="on">
  <div class="bar"><input id="filter" placeholder="filter, e.g. params.lr < 0.01 and metrics.val.acc >= 0.9" spellcheck="false">
  <button id="columns-btn">Columns</button><span class="muted" id="count"></span></div>
  <div id="filter-error"></div>
  <div id="columns-box"></div>
  <div class="bar"><button id="prev">◀</button><span id="page-info" class="muted"></span><button id="next">▶</button>
  <span class="muted">select runs, then:</span><button id="curves-btn">Curves</button><button id="compare-btn">Compare</button><button id="diff-btn">Diff (2)</button></div>
  <div id="runs-table"></div>
  <div id="detail" class="panel" style="display:none"></div>
</section>
<section id="page-top"><div class="bar">metric <select id="top-metric"></select>
  <select id="top-order"><option value="max">higher is better</option><option value="min">lower is better</option></select>
  by <select id="top-by"><option value="">run</option><option value="config">config</option><option value="name">name</option><option value="branch">branch</option><option value="commit">commit</option></select></div>
  <div id="top-table"></div></section>
<section id="page-trend"><div class="bar">metric <select id="trend-metric"></select> along <input id="trend-branch" value="main" size="12">
  <select id="trend-order"><option value="max">higher is better</option><option value="min">lower is better</option></select></div>
  <div id="trend-chart"></div><div id="trend-table"></div></section>
<section id="page-live"><div id="live-list"></div></section>
</main>
<script src="/static/uplot.js"></script>
<script src="/static/app.js"></script>
</body></html>
`;

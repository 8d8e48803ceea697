/**
 * The dashboard: one page, no framework, no network but its own server. Charts use uPlot,
 * served from the installed package (/static/uplot.js), so it works offline. /api/keys is
 * preloaded: everything else waits on it, and the server opens the index while the scripts
 * load instead of after.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>git exp</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/uplot.css">
<link rel="preload" href="/api/keys?" as="fetch" crossorigin>
<style>
:root{--b:#d9dce1;--m:#6b7280;--a:#2f6db5;--bg:#f7f8fa}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;font-size:14px;background:#fff}
header{display:flex;gap:1.2rem;align-items:center;padding:.5rem 1rem;border-bottom:1px solid var(--b);background:var(--bg);position:sticky;top:0;z-index:5}
header h1{font-size:1.05rem;margin:0;font-family:ui-monospace,monospace}
nav{display:flex;gap:.2rem}
nav button{background:none;border:0;border-bottom:2px solid transparent;padding:.45rem .7rem;cursor:pointer;font-size:14px;color:#1f2328}
nav button.on{border-bottom-color:var(--a);font-weight:600}
#live-dot{display:none;width:8px;height:8px;border-radius:50%;background:#2da44e;margin-left:4px;vertical-align:middle}
#live-dot.on{display:inline-block}
#status{margin-left:auto}
main{padding:1rem}section{display:none}section.on{display:block}
input,select,button{font:inherit}
button{border:1px solid var(--b);background:#fff;border-radius:4px;padding:.25rem .6rem;cursor:pointer}
button:disabled{opacity:.45;cursor:default}
button.primary{background:var(--a);border-color:var(--a);color:#fff}
#filter{flex:1;min-width:280px;max-width:760px;font-family:ui-monospace,monospace;padding:.4rem .5rem;border:1px solid var(--b);border-radius:4px}
#filter.bad{border-color:#cf222e;background:#fff5f5}
#filter-error{color:#cf222e;font-family:ui-monospace,monospace;white-space:pre-wrap;margin:.2rem 0 .4rem;font-size:13px}
#filter-error:empty{display:none}
.table-wrap{overflow:auto;max-height:62vh;border:1px solid var(--b);border-radius:4px}
table{border-collapse:collapse;font-size:13px;width:max-content;min-width:100%}
th,td{border-bottom:1px solid #eceef1;padding:4px 10px;text-align:left;white-space:nowrap;max-width:360px;overflow:hidden;text-overflow:ellipsis}
thead th{background:var(--bg);position:sticky;top:0;z-index:1;font-weight:600}
th.sortable{cursor:pointer;user-select:none}th.sortable:hover{color:var(--a)}
th .dir{color:var(--a);margin-left:3px}
td.num{text-align:right;font-variant-numeric:tabular-nums;font-family:ui-monospace,monospace}
td.id{font-family:ui-monospace,monospace;color:var(--m)}
tr.sel td{background:#eaf2fc}tbody tr:hover td{background:#f3f6fa}
td.nan{color:#cf222e}
.bar{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}.muted{color:var(--m)}
.spacer{flex:1}
#columns-box{display:none;border:1px solid var(--b);border-radius:4px;padding:.5rem;max-height:240px;overflow:auto;columns:3 220px;background:var(--bg);margin-bottom:.5rem}
#columns-box.on{display:block}
#columns-box label{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.panel{border:1px solid var(--b);border-radius:4px;padding:.7rem;margin-top:1rem}
.panel h3{margin:0 0 .4rem;font-size:15px}
.empty{padding:1.5rem;border:1px dashed var(--b);border-radius:6px;color:#374151;max-width:760px;background:var(--bg)}
pre{background:var(--bg);padding:.6rem;overflow:auto;border-radius:4px;font-size:12.5px;line-height:1.4}
.live{border:1px solid var(--b);border-left:4px solid #2da44e;border-radius:4px;padding:.5rem .7rem;margin:.6rem 0}
.live.ended{border-left-color:var(--m)}
.live-charts{display:flex;flex-wrap:wrap;gap:.5rem}
.diffline.add{color:#1a7f37}.diffline.del{color:#cf222e}.diffline.head{font-weight:600}
.chart{min-height:40px}
.scroll-box{position:relative}
.scroll-cue{display:none;position:absolute;top:1px;right:1px;bottom:1px;width:110px;pointer-events:none;align-items:center;justify-content:flex-end;padding-right:8px;
  background:linear-gradient(to right,rgba(255,255,255,0),rgba(255,255,255,.96) 60%);color:var(--a);font-size:12px;font-weight:600;border-radius:0 4px 4px 0}
.scroll-box.more-right .scroll-cue{display:flex}
.scroll-box.more-left .table-wrap{box-shadow:inset 10px 0 8px -8px rgba(0,0,0,.25)}
a.run-link{color:inherit;text-decoration:none;border-bottom:1px dotted var(--m)}a.run-link:hover{color:var(--a)}
.pc{position:relative;user-select:none}
.pc-axis{position:absolute;width:24px;cursor:ns-resize}
.pc-axis::before{content:"";position:absolute;left:11px;top:0;bottom:0;width:2px;background:#6b7280}
.pc-label{position:absolute;top:-30px;left:-60px;width:144px;text-align:center;font-size:12px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pc-remove{border:0;background:none;padding:0 2px;color:var(--m);font-size:12px}
.pc-end{position:absolute;left:16px;font-size:11px;color:var(--m);white-space:nowrap;font-family:ui-monospace,monospace}
.pc-hi{top:-4px}.pc-lo{bottom:-14px}
.pc-brush{position:absolute;left:4px;width:16px;background:rgba(47,109,181,.25);border:1px solid var(--a);border-radius:3px}
#view{display:none}
.two{display:flex;gap:1rem;flex-wrap:wrap}.two>div{flex:1;min-width:300px}
h4{margin:.8rem 0 .3rem}
.media{border:1px solid var(--b);border-radius:4px;padding:.5rem;margin:.4rem 0}
.media img,.media-side img{max-width:360px;max-height:360px;image-rendering:pixelated;border:1px solid #eceef1;background:#fff}
.media-side{display:flex;gap:.8rem;flex-wrap:wrap}.media-side figure{margin:0}.media-side figcaption{font-size:12px;margin-bottom:.2rem}
#brush-info code{font-size:12px}
</style></head><body>
<header><h1>git exp</h1><nav>
<button data-page="runs" class="on">Runs</button><button data-page="top">Leaderboard</button><button data-page="trend">Trend</button><button data-page="live">Live<span id="live-dot"></span></button><button data-page="run" id="run-tab" style="display:none">Run</button>
</nav><span class="muted" id="status"></span></header>
<main>
<section id="page-runs" class="on">
  <div class="bar"><input id="filter" placeholder="filter: params.lr < 0.01 and metrics.val.acc >= 0.9 or tags.baseline" spellcheck="false" autocomplete="off" aria-label="filter">
  <button id="columns-btn">Columns</button><button id="view-parallel-btn" title="parallel coordinates of the filtered runs">Parallel coordinates</button><button id="view-scatter-btn" title="one param or metric against another">Scatter</button><span class="muted" id="count"></span></div>
  <div class="bar muted" id="brush-info"></div>
  <div id="view" class="panel"></div>
  <div id="filter-error" role="alert"></div>
  <div id="columns-box"></div>
  <div class="bar"><button id="prev" title="previous page">◀</button><span id="page-info" class="muted"></span><button id="next" title="next page">▶</button>
  <span class="spacer"></span><span class="muted" id="sel-info">select runs to compare them</span>
  <button id="curves-btn" disabled>Curves</button><button id="media-btn" disabled>Media</button><button id="compare-btn" disabled>Compare</button><button id="diff-btn" disabled>Diff</button><button id="clear-btn" disabled>Clear</button></div>
  <div id="runs-table"></div>
  <div id="detail" class="panel" style="display:none"></div>
</section>
<section id="page-top"><div class="bar">metric <select id="top-metric"></select>
  <select id="top-order"><option value="">better: guess from the name</option><option value="max">higher is better</option><option value="min">lower is better</option></select>
  per <select id="top-by"><option value="">run</option><option value="config">config</option><option value="name">name</option><option value="branch">branch</option><option value="commit">commit</option></select>
  <span class="muted" id="top-note"></span></div>
  <div id="top-table"></div></section>
<section id="page-trend"><div class="bar">metric <select id="trend-metric"></select>
  along <input id="trend-branch" placeholder="per day, or a branch: main" size="22">
  <select id="trend-order"><option value="">better: guess from the name</option><option value="max">higher is better</option><option value="min">lower is better</option></select></div>
  <div id="trend-chart" class="chart"></div><div id="trend-table"></div></section>
<section id="page-live"><div id="live-list"></div></section>
<section id="page-run"><div id="run-view"></div></section>
</main>
<script src="/static/uplot.js"></script>
<script src="/static/app.js"></script>
</body></html>
`;

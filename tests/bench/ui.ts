import { existsSync } from "node:fs";
import { join } from "node:path";
import { searchExperiments } from "../../src/analysis/search.js";
import { Workspace } from "../../src/api/workspace.js";
import { startUi } from "../../src/cli/ui/start.js";
import { withIndex } from "../../src/index/query.js";
import { openRepository } from "../../src/store/repository.js";
import { ExperimentStore } from "../../src/store/experiment-store.js";
import { writeBenchDocs } from "./generate.js";
import { BIN, benchDir, medianMs, medianProcessMs, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const AREA = "ui";
const WHERE = "params.lr < 0.01 and metrics.val.acc >= 0.5";

/** The dashboard's runs API at 10,000 experiments: one page, filtered and sorted, against ls. */
export async function bench(): Promise<BenchRow[]> {
  const n = 10_000;
  const dir = benchDir("ui");
  const rows: BenchRow[] = [];
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    sh(dir, "git", ["commit", "-q", "--allow-empty", "-m", "init"]);
    const docs = join(dir, "docs.ndjson");
    await writeBenchDocs(docs, n, sh(dir, "git", ["rev-parse", "HEAD"]).trim(), { seed: 4242, prefix: "ui" });
    process.stderr.write(`  generating ${n} experiments...\n`);
    sh(dir, BIN, ["import", docs]);
    sh(dir, "git", ["gc", "-q"]);
    sh(dir, BIN, ["index"]);
    await new Promise((r) => setTimeout(r, 2100)); // past the racy-timestamp window
    sh(dir, BIN, ["index"]);

    const ls = medianProcessMs(dir, BIN, ["ls", "--where", WHERE, "--sort=-metrics.val.acc", "-n", "50", "--columns", "id,name,params.lr,metrics.val.acc"], 7);
    const lsWarm = await withIndex(
      async (db) => {
        await searchExperiments(db, { where: WHERE, sort: "-metrics.val.acc", limit: 50 });
        return medianMs(() => searchExperiments(db, { where: WHERE, sort: "-metrics.val.acc", limit: 50, columns: ["id", "name", "params.lr", "metrics.val.acc"] }), 9);
      },
      { cwd: dir },
    );

    const ws = new Workspace({ cwd: dir });
    const store = await ws.store();
    const ui = await startUi(ws, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
    try {
      const page = (q: string) => async (): Promise<void> => {
        const res = (await (await fetch(`${ui.url}api/runs?${q}`)).json()) as { rows?: unknown[]; error?: unknown };
        if (!res.rows) throw new Error(`runs API failed: ${JSON.stringify(res.error)}`);
      };
      const filtered = `where=${encodeURIComponent(WHERE)}&sort=metrics.val.acc&desc=1&limit=50&columns=id,name,params.lr,metrics.val.acc`;
      const first = await timeMs(page(filtered));
      const warm = await medianMs(page(filtered), 9);
      const deep = await medianMs(page("sort=params.model.layers&desc=0&offset=9000&limit=50&columns=id,name,params.lr,params.model.layers,metrics.val.acc"), 9);
      const label = "10k";
      rows.push({ area: AREA, name: `${label}: runs API, one filtered sorted page (HTTP, warm)`, value: warm, unit: "ms", baselineName: "git exp ls --where --sort -n 50, end to end", baselineValue: ls, goal: "under the ls command" });
      rows.push({ area: AREA, name: `${label}: runs API, same page vs ls in process`, value: warm, unit: "ms", baselineName: "searchExperiments, in process (warm)", baselineValue: lsWarm });
      rows.push({ area: AREA, name: `${label}: runs API, first request (opens the index)`, value: first, unit: "ms", baselineName: "git exp ls --where, end to end", baselineValue: ls });
      rows.push({ area: AREA, name: `${label}: runs API, page at offset 9000 sorted by a param`, value: deep, unit: "ms", baselineName: "git exp ls --where, end to end", baselineValue: ls });
      rows.push(...(await browserPaint(ui.url, label, n)));
    } finally {
      await ui.close();
      await store.close();
    }
    return rows;
  } finally {
    removeDir(dir);
  }
}

const CHROMIUM = "/usr/bin/chromium";

/**
 * The dashboard opened on parallel coordinates of every run in headless Chromium: from the
 * page's start to the canvas painted with all of them, against the runs table's first paint
 * in the same page load (the baseline a user already waits for). Medians of 3 loads.
 */
async function browserPaint(url: string, label: string, n: number): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`  ${CHROMIUM} is missing: the browser figures are left out\n`);
    return [];
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const axes = "params.lr,params.batch,params.model.layers,params.model.width,params.optimizer,params.seed,metrics.val.acc,metrics.val.loss";
    const loads: { paint: number; table: number; draw: number; fetch: number; runs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${url}#view=parallel&axes=${axes}`);
      await page.waitForSelector(`#pc[data-painted='${n}']`, { timeout: 120_000 });
      const t = await page.evaluate(() => {
        const w = globalThis as unknown as { __pcTiming: { sinceStartMs: number; drawMs: number; fetchMs: number; runs: number }; __tableMs: number };
        return { paint: w.__pcTiming.sinceStartMs, table: w.__tableMs, draw: w.__pcTiming.drawMs, fetch: w.__pcTiming.fetchMs, runs: w.__pcTiming.runs };
      });
      loads.push(t);
      await page.close();
    }
    const median = (f: (x: (typeof loads)[number]) => number): number => loads.map(f).sort((a, b) => a - b)[1]!;
    return [
      { area: AREA, name: `${label}: parallel coordinates of ${n} runs, first paint in Chromium (page start to canvas drawn)`, value: median((x) => x.paint), unit: "ms", baselineName: "the runs table's first paint, same page load", baselineValue: median((x) => x.table), goal: "under 1 s" },
      { area: AREA, name: `${label}: parallel coordinates, drawing ${n} lines on the canvas`, value: median((x) => x.draw), unit: "ms", baselineName: "fetching their values (/api/matrix, 8 keys)", baselineValue: median((x) => x.fetch) },
    ];
  } finally {
    await browser.close();
  }
}

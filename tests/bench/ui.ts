import { join } from "node:path";
import { searchExperiments } from "../../src/analysis/search.js";
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

    const store = new ExperimentStore(await openRepository(dir));
    const ui = await startUi(store, {}, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
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
    } finally {
      await ui.close();
      await store.close();
    }
    return rows;
  } finally {
    removeDir(dir);
  }
}

import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { searchExperiments } from "../../src/analysis/search.js";
import { startUi } from "../../src/cli/ui/start.js";
import { withIndex } from "../../src/index/query.js";
import { openRepository } from "../../src/store/repository.js";
import { ExperimentStore } from "../../src/store/experiment-store.js";
import { BIN, benchDir, medianProcessMs, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const AREA = "ui";
const WHERE = "params.lr < 0.01 and metrics.val.acc >= 0.5";

async function writeDocs(file: string, n: number, head: string): Promise<void> {
  const out = createWriteStream(file);
  let s = 4242;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    const loss = Array.from({ length: 20 }, (_, k) => Math.round((1 / (k + 1) + rand() / 10) * 1e4) / 1e4);
    const doc = {
      experiment: {
        schema: 1,
        status: "completed",
        name: `ui-${i}`,
        created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        created_by: { name: "Bench", email: "bench@example.com" },
        source: { commit: head, branch: "main", dirty: false },
        tags: i % 50 === 0 ? ["baseline"] : [],
      },
      config: { lr: [0.1, 0.01, 0.001, 0.0001][i % 4], batch: 32 << i % 3, model: { layers: i % 12, width: 64 * (1 + (i % 4)) }, seed: i % 97 },
      results: { val: { acc: Math.round(rand() * 1e4) / 1e4, loss: rand() }, test_acc: rand() },
      series: { loss: { step: loss.map((_, k) => k), value: loss } },
    };
    if (!out.write(JSON.stringify(doc) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function medianMs(fn: () => Promise<unknown>, runs = 9): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(fn));
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/** The dashboard's runs API at 10,000 experiments: one page, filtered and sorted, against ls. */
export async function bench(): Promise<BenchRow[]> {
  const n = 10_000;
  const dir = benchDir("ui");
  const rows: BenchRow[] = [];
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    sh(dir, "git", ["commit", "-q", "--allow-empty", "-m", "init"]);
    const docs = join(dir, "docs.ndjson");
    await writeDocs(docs, n, sh(dir, "git", ["rev-parse", "HEAD"]).trim());
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
        return medianMs(() => searchExperiments(db, { where: WHERE, sort: "-metrics.val.acc", limit: 50, columns: ["id", "name", "params.lr", "metrics.val.acc"] }));
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
      const warm = await medianMs(page(filtered));
      const deep = await medianMs(page("sort=params.model.layers&desc=0&offset=9000&limit=50&columns=id,name,params.lr,params.model.layers,metrics.val.acc"));
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

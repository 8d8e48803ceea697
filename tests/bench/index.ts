import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { openRepository } from "../../src/store/repository.js";
import { ExperimentIndex } from "../../src/index/experiment-index.js";
import { withIndex } from "../../src/index/query.js";
import { leaderboard } from "../../src/analysis/leaderboard.js";
import { searchExperiments } from "../../src/analysis/search.js";
import { writeBenchDocs } from "./generate.js";
import { benchLimits } from "./index-limits.js";
import { BENCH_ENV, BIN, benchDir, median, medianMs, medianProcessMs, peakRssMiB, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const AREA = "index";
const WHERE = "params.lr < 0.01 and metrics.val.acc >= 0.9";

function processMs(cwd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(BIN, args, { cwd, env: BENCH_ENV });
  if (r.status !== 0) throw new Error(`git exp ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** `count` updates, each after importing one new experiment: time, and whether a log was left. */
async function oneByOne(dir: string, head: string, n: number, count: number): Promise<{ ms: number; leftLog: boolean }[]> {
  const one = join(dir, "one.ndjson");
  const wal = join(dir, ".git", "exp", "index.duckdb.wal");
  const out: { ms: number; leftLog: boolean }[] = [];
  for (let k = 0; k < count; k++) {
    await writeBenchDocs(one, 1, head, { offset: n + k });
    sh(dir, BIN, ["import", one]);
    await new Promise((r) => setTimeout(r, 2100)); // past the racy-timestamp window
    const ms = processMs(dir, ["index"]);
    out.push({ ms, leftLog: (statSync(wal, { throwIfNoEntry: false })?.size ?? 0) > 0 });
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function benchSize(n: number): Promise<BenchRow[]> {
  const dir = benchDir(`index-${n}`);
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    sh(dir, "git", ["commit", "-q", "--allow-empty", "-m", "init"]);
    const docs = join(dir, "docs.ndjson");
    const head = sh(dir, "git", ["rev-parse", "HEAD"]).trim();
    await writeBenchDocs(docs, n, head);
    process.stderr.write(`  generating ${n} experiments...\n`);
    sh(dir, BIN, ["import", docs]);
    sh(dir, "git", ["gc", "-q"]);
    const rows: BenchRow[] = [];
    const label = n >= 1000 ? `${n / 1000}k` : String(n);
    const row = (name: string, value: number, unit: string, baselineName?: string, baselineValue?: number, goal?: string): void => {
      rows.push({ area: AREA, name: `${label}: ${name}`, value, unit, baselineName, baselineValue, goal });
    };

    // Floors measured in this run: streaming every object through one cat-file, and
    // DuckDB loading the same documents from one NDJSON file with its own reader.
    const catFile = await timeMs(() => sh(dir, "sh", ["-c", "git cat-file --batch-all-objects --batch >/dev/null"]));
    const readJson = await timeMs(async () => {
      const db = await DuckDBInstance.create(":memory:");
      const c = await db.connect();
      await c.run(`CREATE TABLE t AS SELECT * FROM read_json('${docs}', format = 'newline_delimited')`);
      c.closeSync();
      db.closeSync();
    });

    const repo = await openRepository(dir);
    const inProcessBuild = await timeMs(async () => {
      const index = new ExperimentIndex(repo);
      await index.sync(true);
      index.close();
    });
    row("full build, in process", inProcessBuild, "ms", "cat-file --batch of every object", catFile, n === 100_000 ? "within 3x the cat-file floor" : undefined);
    row("full build, in process vs read_json", inProcessBuild, "ms", "DuckDB read_json of the same NDJSON", readJson);
    const e2eBuild = processMs(dir, ["index", "--rebuild"]);
    row("full build, end to end (git exp index --rebuild)", e2eBuild, "ms", "cat-file --batch of every object", catFile);
    const rss = peakRssMiB(dir, BIN, ["index", "--rebuild"]);
    if (rss !== undefined) rows.push({ area: AREA, name: `${label}: peak memory of a full build`, value: rss, unit: "MiB", goal: n === 100_000 ? "under 1024 MiB" : undefined });

    // Start-up floor for end-to-end figures: node itself, doing nothing.
    const nodeStart = medianProcessMs(dir, process.execPath, ["-e", ""], 5);
    await new Promise((r) => setTimeout(r, 2100)); // past the racy-timestamp window
    processMs(dir, ["index"]);
    const upToDate = medianProcessMs(dir, BIN, ["index"], 5);
    row("nothing changed: git exp index, end to end", upToDate, "ms", "node start", nodeStart);

    // Six updates in a row, one new experiment each: an update that leaves its small log
    // and one that checkpoints alternate (see WAL_CHECKPOINT_BYTES), so the mean is what a
    // user sees run after run; both kinds are shown too.
    const updates = await oneByOne(dir, head, n, 6);
    const all = updates.map((u) => u.ms);
    row("incremental update after 1 new experiment, end to end (mean of 6 in a row)", mean(all), "ms", "node start", nodeStart, n === 100_000 ? "under 300 ms" : undefined);
    const leaving = updates.filter((u) => u.leftLog).map((u) => u.ms);
    if (leaving.length > 0) row("  of which updates leaving their log (median)", median(leaving), "ms", "node start", nodeStart);
    const checkpointing = updates.filter((u) => !u.leftLog).map((u) => u.ms);
    if (checkpointing.length > 0) row("  of which updates checkpointing (median)", median(checkpointing), "ms", "node start", nodeStart);

    const top = medianProcessMs(dir, BIN, ["top", "val.acc"], 5);
    row("top val.acc, end to end", top, "ms", "node start", nodeStart, n === 100_000 ? "under 400 ms" : undefined);
    const ls = medianProcessMs(dir, BIN, ["ls", "--where", WHERE, "-n", "20"], 5);
    row(`ls --where "${WHERE}" -n 20, end to end`, ls, "ms", "node start", nodeStart, n === 100_000 ? "under 400 ms" : undefined);

    await withIndex(
      async (db) => {
        await leaderboard(db, { metric: "val.acc" });
        const topIn = await medianMs(() => leaderboard(db, { metric: "val.acc" }));
        row("top val.acc, in process (warm)", topIn, "ms");
        const lsIn = await medianMs(() => searchExperiments(db, { where: WHERE, limit: 20 }));
        row("ls --where, in process (warm)", lsIn, "ms");
      },
      { cwd: dir },
    );
    writeFileSync(join(dir, "done"), "");
    return rows;
  } finally {
    removeDir(dir);
  }
}

export async function bench(): Promise<BenchRow[]> {
  const sizes = (process.env["GIT_EXP_BENCH_INDEX_SIZES"] ?? "10000,100000").split(",").map(Number);
  const rows: BenchRow[] = [];
  for (const n of sizes) rows.push(...(await benchSize(n)));
  if (process.env["GIT_EXP_BENCH_LIMITS"] !== "0") rows.push(...(await benchLimits()));
  return rows;
}

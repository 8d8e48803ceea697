import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { withIndex } from "../../src/index/query.js";
import { leaderboard } from "../../src/analysis/leaderboard.js";
import { searchExperiments } from "../../src/analysis/search.js";
import { residentSocket } from "../../src/cli/resident-client.js";
import { writeBenchDocs, writeRealisticDocs } from "./generate.js";
import { benchLimits } from "./index-limits.js";
import { BENCH_ENV, BIN, ROOT, benchDir, median, medianMs, medianProcessMs, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const AREA = "index";

/** The two shapes the bench builds: the small one of earlier rounds, and one shaped like real training runs. */
const SHAPES = {
  small: {
    what: "6 params, 3 metrics, one 20-point series",
    write: writeBenchDocs,
    where: "params.lr < 0.01 and metrics.val.acc >= 0.9",
  },
  realistic: {
    what: "26 params, 13 metrics, three 100-point series, 5 repeats per config",
    write: writeRealisticDocs,
    where: "params.optimizer.lr < 0.01 and metrics.val.acc >= 0.9",
  },
} as const;
type ShapeName = keyof typeof SHAPES;

/** Bumped when a generator changes: cached repositories of another version are not reused. */
const GENERATOR_VERSION = 1;

/** Every command in its own process, as without a resident index process; and through one. */
const OWN: NodeJS.ProcessEnv = { ...BENCH_ENV, GIT_EXP_RESIDENT: "0" };
const RESIDENT: NodeJS.ProcessEnv = { ...BENCH_ENV, GIT_EXP_RESIDENT: "1", GIT_EXP_RESIDENT_IDLE: "600" };
const BUNDLE = join(ROOT, "dist", "src", "cli-bundle", "git-exp.cjs");

function processMs(cwd: string, args: string[], env = OWN): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(BIN, args, { cwd, env });
  if (r.status !== 0) throw new Error(`git exp ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Wall time, CPU time (user + system) and peak memory of one process, from GNU time. */
function measured(cwd: string, args: string[]): { wallMs: number; cpuMs: number; rssMiB: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", BIN, ...args], { cwd, env: OWN, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git exp ${args.join(" ")} failed: ${r.stderr}`);
  const [wall, user, sys, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number) as [number, number, number, number];
  return { wallMs: wall * 1000, cpuMs: (user + sys) * 1000, rssMiB: kb / 1024 };
}

/**
 * A repository of `n` experiments of one shape, packed by `git gc`, generated once and kept
 * in the temporary folder (a realistic 100,000 takes minutes to import): each run works on a
 * hard-linked copy, which is safe because git replaces files by rename and never edits one
 * in place. Returns the copy and the NDJSON it was imported from (read, never written).
 */
async function repository(shape: ShapeName, n: number): Promise<{ dir: string; docs: string; head: string }> {
  const cache = join(tmpdir(), "git-exp-bench-cache", `index-${shape}-${n}-v${GENERATOR_VERSION}`);
  const docs = join(cache, "docs.ndjson");
  if (!existsSync(join(cache, "ready"))) {
    removeDir(cache);
    mkdirSync(cache, { recursive: true });
    const building = join(cache, "repo.tmp");
    mkdirSync(building);
    sh(building, "git", ["init", "-q", "-b", "main"]);
    sh(building, "git", ["commit", "-q", "--allow-empty", "-m", "init"]);
    const head = sh(building, "git", ["rev-parse", "HEAD"]).trim();
    process.stderr.write(`  generating ${n} ${shape} experiments (cached in ${cache})...\n`);
    await SHAPES[shape].write(docs, n, head);
    sh(building, BIN, ["import", docs]);
    sh(building, "git", ["gc", "-q"]);
    removeDir(join(building, ".git", "exp"));
    renameSync(building, join(cache, "repo"));
    writeFileSync(join(cache, "ready"), "");
  }
  const dir = benchDir(`index-${shape}-${n}`);
  sh(dir, "cp", ["-al", join(cache, "repo"), join(dir, "repo")]);
  const repo = join(dir, "repo");
  return { dir, docs, head: sh(repo, "git", ["rev-parse", "HEAD"]).trim() };
}

/** Experiment ids by an 8-hex prefix, as a user types them. */
function somePrefixes(dir: string, count: number): string[] {
  const out = sh(dir, "git", ["for-each-ref", `--count=${count}`, "--format=%(objectname)", "refs/experiments/"]);
  return out.trim().split("\n").map((id) => id.slice(0, 8));
}

async function benchSize(shape: ShapeName, n: number): Promise<BenchRow[]> {
  const { dir: work, docs, head } = await repository(shape, n);
  const dir = join(work, "repo");
  const { where, write } = SHAPES[shape];
  try {
    const rows: BenchRow[] = [];
    const label = `${shape} ${n >= 1000 ? `${n / 1000}k` : String(n)}`;
    const at100k = n === 100_000;
    const row = (name: string, value: number, unit: string, baselineName?: string, baselineValue?: number, goal?: string): void => {
      rows.push({ area: AREA, name: `${label}: ${name}`, value, unit, baselineName, baselineValue, goal: at100k ? goal : undefined });
    };

    // Floors measured in this run: streaming every object through one cat-file, and
    // DuckDB loading the same documents from one NDJSON file with its own reader.
    const catFile = await timeMs(() => sh(dir, "sh", ["-c", "git cat-file --batch-all-objects --batch >/dev/null"]));
    const readJson = await timeMs(async () => {
      const db = await DuckDBInstance.create(":memory:", { threads: "2" });
      const c = await db.connect();
      await c.run(`CREATE TABLE t AS SELECT * FROM read_json('${docs}', format = 'newline_delimited')`);
      c.closeSync();
      db.closeSync();
    });

    const build = measured(dir, ["index", "--rebuild"]);
    row("full build, end to end (git exp index --rebuild)", build.wallMs, "ms", "cat-file --batch of every object", catFile, "within 3x the cat-file floor");
    row("full build vs DuckDB read_json", build.wallMs, "ms", "DuckDB read_json of the same NDJSON", readJson);
    row("full build: CPU time over wall time (2 cores: at most 2)", build.cpuMs / build.wallMs, "cores");
    row("full build: peak memory", build.rssMiB, "MiB", undefined, undefined, "under 1024 MiB");

    // Start-up floor for end-to-end figures: node itself, doing nothing.
    const nodeStart = medianProcessMs(dir, process.execPath, ["-e", "0"], 7);
    const vsNode = (name: string, ms: number, goal?: string): void => row(name, ms, "ms", "node -e 0", nodeStart, goal);
    processMs(dir, ["index"]);
    vsNode("nothing changed: git exp index", medianProcessMs(dir, BIN, ["index"], 5, undefined, OWN));
    // DuckDB's native module alone, against which no command that loads it can meet 1.5x.
    vsNode("loading DuckDB's native module (node -e require)", medianProcessMs(dir, process.execPath, ["-e", "require('@duckdb/node-bindings')"], 5, undefined, { ...OWN, NODE_PATH: join(ROOT, "node_modules") }));
    const ids = somePrefixes(dir, 5);
    const commands: [string, string[], string][] = [
      ['nothing changed: sql "select 1"', ["sql", "select 1"], "within 1.5x node -e 0"],
      ["top val.acc", ["top", "val.acc"], "within 2x node -e 0"],
      [`ls --where "${where}" -n 20`, ["ls", "--where", where, "-n", "20"], "within 2x node -e 0"],
      ["show <id prefix>", ["show", ids[0]!], "within 1.5x node -e 0, flat in N"],
      ["diff <id prefix> <id prefix>", ["diff", ids[0]!, ids[1]!], "within 1.5x node -e 0, flat in N"],
      ["compare of 5 id prefixes", ["compare", ...ids], "within 1.5x node -e 0, flat in N"],
    ];
    const ok = (args: string[], env: NodeJS.ProcessEnv): number => medianProcessMs(dir, BIN, args, 5, undefined, env, [0, 1]);
    for (const [name, args] of commands) vsNode(`${name}, own process`, ok(args, OWN));
    // The first query command starts the resident index process; the rest go through it.
    processMs(dir, ["sql", "select 1"], RESIDENT);
    const socket = residentSocket(dir, RESIDENT, BUNDLE);
    for (const deadline = Date.now() + 60_000; socket && !existsSync(socket) && Date.now() < deadline; ) spawnSync("sleep", ["0.05"]);
    for (const [name, args, goal] of commands) vsNode(`${name}, through the resident index process`, ok(args, RESIDENT), goal);

    // One new experiment at a time, the command run straight after it (no waiting out a
    // racy-timestamp window), then the command after that, which should find nothing to do.
    const updates: number[] = [];
    const after: number[] = [];
    const one = join(work, "one.ndjson");
    const served: number[] = [];
    const servedAfter: number[] = [];
    for (let k = 0; k < 12; k++) {
      await write(one, 1, head, { offset: n + k });
      sh(dir, BIN, ["import", one]);
      if (k % 2 === 0) {
        updates.push(processMs(dir, ["index"]));
        after.push(processMs(dir, ["index"]));
      } else {
        served.push(processMs(dir, ["sql", "select 1"], RESIDENT));
        servedAfter.push(processMs(dir, ["sql", "select 1"], RESIDENT));
      }
    }
    vsNode("update after 1 new experiment (git exp index, own process, median of 6)", median(updates), "within 2.5x node -e 0");
    vsNode("  the command after that (median of 6)", median(after), "as nothing changed");
    vsNode('update after 1 new experiment (sql "select 1" through the resident index process, median of 6)', median(served), "within 2.5x node -e 0");
    vsNode("  the command after that (median of 6)", median(servedAfter), "as nothing changed");

    await withIndex(
      async (db) => {
        await leaderboard(db, { metric: "val.acc" });
        row("top val.acc, in process (warm)", await medianMs(() => leaderboard(db, { metric: "val.acc" })), "ms");
        row("ls --where, in process (warm)", await medianMs(() => searchExperiments(db, { where, limit: 20 })), "ms");
      },
      { cwd: dir },
    );

    writeFileSync(join(work, "c.json"), JSON.stringify({ lr: 0.1, seed: 1 }));
    writeFileSync(join(work, "r.json"), JSON.stringify({ acc: 0.5 }));
    let k = 0;
    const record = (): string[] => ["record", "--config", join(work, "c.json"), "--results", join(work, "r.json"), "--name", `rec-${k++}`];
    const recs: number[] = [];
    for (let i = 0; i < 7; i++) recs.push(processMs(dir, record(), RESIDENT));
    vsNode("record one experiment, cold (median of 7)", median(recs), "within 1.5x node -e 0");
    return rows;
  } finally {
    removeDir(work);
  }
}

/**
 * GIT_EXP_BENCH_INDEX_SIZES (default 10000,100000) and GIT_EXP_BENCH_INDEX_SHAPES (default
 * small,realistic) choose what is built; every figure is set against floors of the same run.
 */
export async function bench(): Promise<BenchRow[]> {
  const sizes = (process.env["GIT_EXP_BENCH_INDEX_SIZES"] ?? "10000,100000").split(",").map(Number);
  const shapes = (process.env["GIT_EXP_BENCH_INDEX_SHAPES"] ?? "small,realistic").split(",") as ShapeName[];
  for (const s of shapes) if (!(s in SHAPES)) throw new Error(`unknown bench shape ${s}: use ${Object.keys(SHAPES).join(", ")}`);
  const rows: BenchRow[] = [];
  for (const shape of shapes) {
    process.stderr.write(`  shape ${shape}: ${SHAPES[shape].what}\n`);
    for (const n of sizes) rows.push(...(await benchSize(shape, n)));
  }
  if (process.env["GIT_EXP_BENCH_LIMITS"] !== "0") rows.push(...(await benchLimits()));
  return rows;
}

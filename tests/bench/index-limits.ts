import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentLine, experimentToDocument } from "../../src/core/document.js";
import type { Experiment, Series } from "../../src/core/experiment.js";
import type { JsonObject } from "../../src/core/json.js";
import { LIMITS } from "../../src/core/limits.js";
import { generateNdjson, generateExperiment } from "./generate.js";
import { BENCH_ENV, BIN, benchDir, median, removeDir, sh, type BenchRow } from "./harness.js";

const AREA = "index";

/** Several series of hundreds of points, as a normal run logs them. */
function normalSeries(): Record<string, Series> {
  const out: Record<string, Series> = {};
  for (const key of ["train.loss", "val.loss", "val.acc", "lr"]) {
    out[key] = { step: Array.from({ length: 500 }, (_, i) => i * 10), value: Array.from({ length: 500 }, (_, i) => 1 / (i + 1)) };
  }
  return out;
}

/** A flat object of `n` keys, each holding `value(i)`. */
function wide<T extends JsonObject[string]>(n: number, prefix: string, value: (i: number) => T): JsonObject {
  const out: JsonObject = {};
  for (let i = 0; i < n; i++) out[`${prefix}${String(i).padStart(5, "0")}`] = value(i);
  return out;
}

/**
 * An experiment at every limit the index reads at once: config, results and env of
 * 10,000 keys each, and series of 1,000,000 points together (10 of 100,000).
 */
function widest(): Experiment {
  const e = generateExperiment(1);
  const perSeries = LIMITS.pointsPerSeries;
  const series: Record<string, Series> = {};
  for (let s = 0; s < LIMITS.pointsPerExperiment / perSeries; s++) {
    series[`s${s}`] = { step: Array.from({ length: perSeries }, (_, i) => i), value: Array.from({ length: perSeries }, (_, i) => (i % 1000) / 1000) };
  }
  return {
    ...e,
    meta: { ...e.meta, name: "widest" },
    config: wide(LIMITS.keysPerFile, "p", (i) => i / 7),
    results: wide(LIMITS.keysPerFile, "m", (i) => i / 11),
    env: wide(LIMITS.keysPerFile, "v", (i) => `value ${i}`),
    series,
  };
}

function processMs(cwd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(BIN, args, { cwd, env: BENCH_ENV });
  if (r.status !== 0) throw new Error(`git exp ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** A repository of `base` normal experiments plus `extra`; the figures of a user's commands on it. */
function measure(base: number, extra: Experiment, runs: number): { firstLs: number; rebuild: number; ls: number } {
  const firsts: number[] = [];
  const rebuilds: number[] = [];
  const lss: number[] = [];
  for (let k = 0; k < runs; k++) {
    const dir = benchDir("index-limits");
    try {
      sh(dir, "git", ["init", "-q", "-b", "main"]);
      writeFileSync(join(dir, "base.ndjson"), generateNdjson(base));
      sh(dir, BIN, ["import", "base.ndjson"]);
      processMs(dir, ["index"]);
      writeFileSync(join(dir, "extra.ndjson"), documentLine(experimentToDocument(extra)));
      sh(dir, BIN, ["import", "extra.ndjson"]);
      // The first read after it arrived brings the index up to date: what `ls` cost in the report.
      firsts.push(processMs(dir, ["ls", "-n", "20"]));
      rebuilds.push(processMs(dir, ["index", "--rebuild"]));
      lss.push(processMs(dir, ["ls", "-n", "20"]));
    } finally {
      removeDir(dir);
    }
  }
  return { firstLs: median(firsts), rebuild: median(rebuilds), ls: median(lss) };
}

/**
 * One experiment at the limits next to a normal one, each arriving in a repository of 1,000
 * normal experiments: the first `ls` after it arrived (an incremental update), a full
 * build, and `ls` again. The goal: the widest allowed costs within 10x of a normal one.
 */
export async function benchLimits(): Promise<BenchRow[]> {
  const base = Number(process.env["GIT_EXP_BENCH_LIMITS_BASE"] ?? 1000);
  const runs = 3;
  const normal = { ...generateExperiment(base + 1), series: normalSeries() };
  process.stderr.write(`  one normal experiment, then one at the limits, into ${base} (${runs} runs each)...\n`);
  const n = measure(base, normal, runs);
  const w = measure(base, widest(), runs);
  const row = (name: string, value: number, baselineValue: number): BenchRow => ({
    area: AREA,
    name: `limits, ${base} + 1: ${name}`,
    value,
    unit: "ms",
    baselineName: "the same with a normal experiment",
    baselineValue,
    goal: "within 10x",
  });
  return [
    row("first ls after an experiment at the limits arrived", w.firstLs, n.firstLs),
    row("full build (index --rebuild) with it", w.rebuild, n.rebuild),
    row("ls -n 20 with it, index up to date", w.ls, n.ls),
  ];
}

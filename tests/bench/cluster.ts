import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_ENV, BIN, benchDir, median, removeDir, sh, type BenchRow } from "./harness.js";

/**
 * `git exp run --on slurm` against the one-node cluster of scripts/slurm-local.sh: the
 * whole way from submission to recorded experiments, set against plain `sbatch --array` of
 * the same command (submission to the job's end) in the same run; then 64 tasks recording
 * at once into one repository. The trial is shaped like training: 30 params, 12 metrics
 * logged over 300 steps.
 */
const WIDE = Number(process.env["BENCH_CLUSTER_TASKS"] ?? 64);
const RUNS = 3;

const TRAIN = `
const fs = require("node:fs");
const cfg = JSON.parse(fs.readFileSync(process.env.GIT_EXP_CONFIG || process.argv[2], "utf8"));
const out = process.env.GIT_EXP_METRICS || "/dev/null";
const lines = [];
for (let step = 0; step < 300; step++) {
  const m = { step };
  for (let k = 0; k < 12; k++) m["metric_" + k] = Math.exp(-step / (50 + k)) * (cfg.lr_0 || 1);
  lines.push(JSON.stringify(m));
}
fs.appendFileSync(out, lines.join("\\n") + "\\n");
`;

function config(): Record<string, number | string> {
  const c: Record<string, number | string> = {};
  for (let i = 0; i < 30; i++) c[i % 3 === 0 ? `lr_${i}` : i % 3 === 1 ? `layers_${i}` : `opt_${i}`] = i % 3 === 2 ? "adam" : i / 10;
  return c;
}

/** Wall time of a command in ms; it must exit 0. */
function wall(cwd: string, cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env: BENCH_ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function seeds(n: number, from: number): string {
  return Array.from({ length: n }, (_, i) => from + i).join(",");
}

export async function bench(): Promise<BenchRow[]> {
  if (spawnSync("sh", ["-c", "command -v sbatch && sinfo -h"]).status !== 0) {
    throw new Error("bench cluster needs a Slurm cluster: run scripts/slurm-local.sh (as root) first");
  }
  const dir = benchDir("cluster");
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    writeFileSync(join(dir, "train.cjs"), TRAIN);
    writeFileSync(join(dir, "config.json"), JSON.stringify(config()));
    sh(dir, "git", ["add", "."]);
    sh(dir, "git", ["commit", "-q", "-m", "init"]);
    const node = process.execPath;
    const trial = ["--config", "config.json", "--", node, "train.cjs"];
    // The environment cache filled once, as on any machine after its first run.
    wall(dir, BIN, ["run", "--on", "slurm", "--wait", ...trial]);
    let seed = 1;
    const plain = (n: number): number =>
      wall(dir, "sbatch", ["--wait", "--quiet", `--array=0-${n - 1}`, "--output=/dev/null", `--wrap=${node} train.cjs config.json`]);
    const ours = (n: number): number => {
      const ms = wall(dir, BIN, ["run", "--on", "slurm", "--wait", "--seed", seeds(n, seed), ...trial]);
      seed += n;
      return ms;
    };
    const plain1 = median(Array.from({ length: RUNS }, () => plain(1)));
    const ours1 = median(Array.from({ length: RUNS }, () => ours(1)));
    const plain8 = median(Array.from({ length: RUNS }, () => plain(8)));
    const ours8 = median(Array.from({ length: RUNS }, () => ours(8)));
    const before = refCount(dir);
    const plainWide = plain(WIDE);
    const oursWide = ours(WIDE);
    const landed = refCount(dir) - before;
    if (landed !== WIDE) throw new Error(`${WIDE} tasks recording at once: ${landed} experiments landed`);
    return [
      { area: "cluster", name: "one trial, submission to recorded experiment (--wait)", value: ours1, unit: "ms", baselineName: "sbatch --wait, same command", baselineValue: plain1 },
      { area: "cluster", name: "8 trials at once, submission to all recorded", value: ours8, unit: "ms", baselineName: "sbatch --array --wait, same command", baselineValue: plain8 },
      { area: "cluster", name: "overhead per trial, 8 at once ((ours - sbatch) / 8)", value: (ours8 - plain8) / 8, unit: "ms" },
      { area: "cluster", name: `${WIDE} tasks recording at once into one repository: all ${landed} landed, wall`, value: oursWide, unit: "ms", baselineName: `sbatch --array of ${WIDE}, same command`, baselineValue: plainWide },
      { area: "cluster", name: `time per record, ${WIDE} at once (wall / ${WIDE})`, value: oursWide / WIDE, unit: "ms", baselineName: "one trial alone, submission to record", baselineValue: ours1 },
    ];
  } finally {
    removeDir(dir);
  }
}

function refCount(dir: string): number {
  return sh(dir, "git", ["for-each-ref", "--format=x", "refs/experiments/"]).split("\n").filter(Boolean).length;
}

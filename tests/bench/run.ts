import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumFiles } from "../../src/capture/checksums.js";
import { captureEnvironment, ENV_CACHE_FILE } from "../../src/capture/environment.js";
import { BENCH_ENV, BIN, benchDir, median, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const RUNS = 7;

function processMs(cwd: string, cmd: string, args: string[], before?: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env: BENCH_ENV });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr?.toString()}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** `git exp run`: overhead around a command that does nothing, and hashing throughput of inputs. */
export async function bench(): Promise<BenchRow[]> {
  const dir = benchDir("run");
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    writeFileSync(join(dir, "train.py"), "print(1)\n");
    sh(dir, "git", ["add", "."]);
    sh(dir, "git", ["commit", "-q", "-m", "init"]);
    const cache = join(dir, ".git", "exp", ENV_CACHE_FILE);
    const bare = processMs(dir, "true", []);
    const cold = processMs(dir, BIN, ["run", "--", "true"], () => rmSync(cache, { force: true }));
    const warm = processMs(dir, BIN, ["run", "--", "true"]);
    const rows: BenchRow[] = [
      { area: "run", name: "git exp run -- true, environment cache cold", value: cold, unit: "ms", baselineName: "true bare", baselineValue: bare },
      { area: "run", name: "git exp run -- true, environment cache warm", value: warm, unit: "ms", baselineName: "true bare", baselineValue: bare, goal: "overhead < 400 ms" },
    ];
    // What each probe costs when it runs (cache refreshed), measured in process.
    const probes = await captureEnvironment({ environ: BENCH_ENV, cwd: dir, cacheDir: join(dir, "probe"), refresh: true });
    for (const [name, ms] of Object.entries(probes.timings)) {
      rows.push({ area: "run", name: `environment probe ${name} (cache miss)`, value: ms, unit: "ms" });
    }
    // Inputs: 4 files of 64 MiB, hashed without the cache against sha256sum of the same files.
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = join(dir, `data${i}.bin`);
      writeFileSync(f, randomBytes(64 << 20));
      files.push(f);
    }
    const mib = 256;
    const sumMs = median([0, 1, 2].map(() => {
      const t = process.hrtime.bigint();
      sh(dir, "sha256sum", files);
      return Number(process.hrtime.bigint() - t) / 1e6;
    }));
    const ours: number[] = [];
    for (let i = 0; i < 3; i++) ours.push(await timeMs(() => checksumFiles(files, dir)));
    rows.push({
      area: "run",
      name: `sha256 of --input files (${mib} MiB, no cache)`,
      value: median(ours),
      unit: "ms",
      baselineName: "sha256sum",
      baselineValue: sumMs,
      goal: "within 1.5x",
    });
    rows.push({ area: "run", name: "sha256 of --input files, throughput", value: mib / (median(ours) / 1000), unit: "MiB/s" });
    return rows;
  } finally {
    removeDir(dir);
  }
}

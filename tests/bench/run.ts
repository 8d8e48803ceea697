import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumFiles } from "../../src/capture/checksums.js";
import { captureEnvironment, ENV_CACHE_FILE } from "../../src/capture/environment.js";
import { TreeSampler } from "../../src/capture/resources.js";
import { DEFAULT_SYSTEM_INTERVAL_S, SystemSampler } from "../../src/capture/system-metrics.js";
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
    rows.push(await samplingCost());
    return rows;
  } finally {
    removeDir(dir);
  }
}

/**
 * What sampling system metrics costs git-exp itself: the CPU time of a sample of a process
 * tree of four (a shell, two sleeps and a python), as a share of one core at the default
 * interval, against the peak sampler that has always run every 0.5 s. No nvidia-smi on the
 * bench machine: its own process is not counted.
 */
async function samplingCost(): Promise<BenchRow> {
  const child = spawn("sh", ["-c", "sleep 120 & sleep 120 & python3 -c 'import time; time.sleep(120)' & wait"], { stdio: "ignore", detached: true });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const system = new SystemSampler({ pid: child.pid!, intervalMs: DEFAULT_SYSTEM_INTERVAL_S * 1000, environ: BENCH_ENV });
    const peaks = new TreeSampler(child.pid!);
    const cpuMs = async (f: () => Promise<unknown>, n: number): Promise<number> => {
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) await f();
      const d = process.cpuUsage(before);
      return (d.user + d.system) / 1000 / n;
    };
    const n = 200;
    const perSample = await cpuMs(() => system.sample(), n);
    const perPeak = await cpuMs(() => peaks.sample(), n);
    await system.stop();
    return {
      area: "run",
      name: `system metrics sampling at the default ${DEFAULT_SYSTEM_INTERVAL_S} s: CPU of one core (${perSample.toFixed(2)} ms a sample, a tree of 4 processes)`,
      value: (perSample / (DEFAULT_SYSTEM_INTERVAL_S * 1000)) * 100,
      unit: "%",
      baselineName: `the peak sampler every 0.5 s (${perPeak.toFixed(2)} ms a sample)`,
      baselineValue: (perPeak / 500) * 100,
      goal: "under 1%",
    };
  } finally {
    // its own process group: the shell and the sleeps it started, nothing else
    process.kill(-child.pid!, "SIGKILL");
  }
}

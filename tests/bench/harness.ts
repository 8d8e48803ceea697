import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One measured figure, next to the baseline it is judged against (measured in the same run). */
export interface BenchRow {
  area: string;
  name: string;
  value: number;
  unit: string;
  baselineName?: string;
  baselineValue?: number;
  goal?: string;
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(ROOT, "bin", "git-exp");

export function benchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `git-exp-bench-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const BENCH_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};

export function sh(cwd: string, cmd: string, args: string[], input?: string | Buffer): string {
  return execFileSync(cmd, args, { cwd, env: BENCH_ENV, input, maxBuffer: 1 << 30, encoding: "utf8" });
}

/** Wall time of one call in milliseconds. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The middle value (the upper one of an even count). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time of `runs` runs of a whole process, in ms. */
export function medianProcessMs(cwd: string, cmd: string, args: string[], runs = 7, input?: string, env = BENCH_ENV, okCodes = [0]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env, input });
    if (!okCodes.includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr?.toString()}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** Peak resident memory of a child process in MiB, read from GNU time when present. */
export function peakRssMiB(cwd: string, cmd: string, args: string[]): number | undefined {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { cwd, env: BENCH_ENV, encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const kb = Number(r.stderr.trim().split("\n").pop());
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

/** The median of `runs` timings of an in-process call. */
export async function medianMs(fn: () => Promise<unknown>, runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(fn));
  return median(times);
}

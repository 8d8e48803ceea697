import { execFile, type ChildProcess } from "node:child_process";
import type { Series } from "../core/experiment.js";
import { DEFAULT_METRICS_LIMITS, Thinned } from "./metrics-tail.js";
import { memoryKb, processTree, CLOCK_TICKS } from "./resources.js";

export const DEFAULT_SYSTEM_INTERVAL_S = 10;
/** The first sample comes this soon, so a short run still has one. */
const FIRST_SAMPLE_MS = 1000;

export interface SystemSamplerOptions {
  /** The root of the process tree sampled: the run's command. */
  pid: number;
  intervalMs: number;
  firstMs?: number;
  /** nvidia-smi's path when found on PATH; undefined: no GPU metrics. */
  nvidiaSmi?: string;
  environ: NodeJS.ProcessEnv;
  /** Points kept a series; past it the series is thinned evenly, as the metrics log's are. */
  maxPoints?: number;
  /** The clock, in seconds since the epoch (tests fix it). */
  now?: () => number;
}

/** What `nvidia-smi --query-gpu` is asked, in this order. */
const GPU_QUERY = ["index", "utilization.gpu", "memory.used", "power.draw"];
const GPU_SERIES = ["util_pct", "memory_mb", "power_w"];

/**
 * One GPU line of `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,power.draw
 * --format=csv,noheader,nounits`: "0, 87, 10240, 312.45". A field the GPU does not report is
 * "[N/A]" or "[Not Supported]": null.
 */
export function parseGpuLine(line: string): { index: number; values: (number | null)[] } | undefined {
  const f = line.split(",").map((s) => s.trim());
  if (f.length < GPU_QUERY.length || !/^\d+$/.test(f[0]!)) return undefined;
  const num = (s: string): number | null => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : null);
  return { index: Number(f[0]), values: f.slice(1, GPU_QUERY.length).map(num) };
}

/**
 * System metrics over a run's time, kept as series `system/cpu_pct` (the process tree's CPU
 * time over wall time, 100 per busy core), `system/rss_mb` (the tree's resident memory) and,
 * where nvidia-smi answers, `system/gpu<i>/util_pct`, `memory_mb`, `power_w`. One sample at
 * `firstMs`, then one every `intervalMs`, each with its time. Linux's /proc for the process
 * tree; elsewhere only the GPUs.
 */
export class SystemSampler {
  private readonly series = new Map<string, Thinned>();
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private last: { at: number; ticks: number } | undefined;
  private step = 0;
  private gpuBroken = false;
  private smi: ChildProcess | undefined;
  private readonly now: () => number;

  constructor(private readonly o: SystemSamplerOptions) {
    this.now = o.now ?? (() => Date.now() / 1000);
  }

  start(): void {
    // The CPU baseline is taken at the start, so the first sample covers the first second.
    void this.cpuTicks().then((ticks) => (this.last ??= { at: this.now(), ticks }));
    this.first = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.o.intervalMs);
      this.timer.unref();
    }, this.o.firstMs ?? FIRST_SAMPLE_MS);
    this.first.unref();
  }

  private tick(): void {
    // A sample still running (a slow nvidia-smi) is not stacked on.
    if (this.running) return;
    this.running = this.sample().finally(() => (this.running = undefined));
  }

  /** One sample of everything, now. */
  async sample(): Promise<void> {
    const at = this.now();
    const step = this.step++;
    const [tree, gpus] = await Promise.all([this.treeSample(at), this.gpuSample()]);
    if (tree) {
      if (tree.cpuPct !== null) this.push("system/cpu_pct", step, tree.cpuPct, at);
      this.push("system/rss_mb", step, tree.rssMb, at);
    }
    for (const g of gpus) g.values.forEach((v, i) => this.push(`system/gpu${g.index}/${GPU_SERIES[i]}`, step, v, at));
  }

  private push(metric: string, step: number, value: number | null, at: number): void {
    let s = this.series.get(metric);
    if (!s) this.series.set(metric, (s = new Thinned(this.o.maxPoints ?? DEFAULT_METRICS_LIMITS.maxPoints)));
    s.push(step, value === null ? null : Math.round(value * 10) / 10, Math.round(at * 1000) / 1000);
  }

  private async cpuTicks(): Promise<number> {
    if (process.platform !== "linux") return 0;
    return (await processTree(this.o.pid)).reduce((n, p) => n + p.cpuTicks, 0);
  }

  private async treeSample(at: number): Promise<{ cpuPct: number | null; rssMb: number } | undefined> {
    if (process.platform !== "linux") return undefined;
    const tree = await processTree(this.o.pid);
    if (tree.length === 0) return undefined;
    let rssKb = 0;
    for (const p of tree) rssKb += (await memoryKb(p.pid)).rss;
    const ticks = tree.reduce((n, p) => n + p.cpuTicks, 0);
    const prev = this.last;
    this.last = { at, ticks };
    // A process that exited unreaped takes its ticks along: never a negative share.
    const cpuPct = prev && at > prev.at ? Math.max(0, ((ticks - prev.ticks) / CLOCK_TICKS / (at - prev.at)) * 100) : null;
    return { cpuPct, rssMb: rssKb / 1024 };
  }

  private gpuSample(): Promise<{ index: number; values: (number | null)[] }[]> {
    const smi = this.o.nvidiaSmi;
    if (!smi || this.gpuBroken) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.smi = execFile(smi, [`--query-gpu=${GPU_QUERY.join(",")}`, "--format=csv,noheader,nounits"], { env: this.o.environ, timeout: 5000 }, (err, stdout) => {
        this.smi = undefined;
        // nvidia-smi without a driver fails every time: asked once, not every interval.
        if (err) {
          this.gpuBroken = true;
          return resolve([]);
        }
        resolve(String(stdout).split("\n").map(parseGpuLine).filter((g) => g !== undefined));
      });
    });
  }

  /** Stop; the series sampled, keyed by metric (empty when nothing could be sampled). */
  async stop(): Promise<Record<string, Series>> {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    // A GPU query still out (a hung driver answers in seconds, if at all) must not hold up the record.
    this.smi?.kill();
    await this.running;
    return Object.fromEntries([...this.series].map(([k, s]) => [k, s.toSeries()]));
  }
}

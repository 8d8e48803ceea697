import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import type { JsonObject } from "../core/json.js";

/** Linux reports CPU time in clock ticks of 1/100 s on every architecture it runs on. */
export const CLOCK_TICKS = 100;
const TICKS = CLOCK_TICKS;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: this process and its reaped descendants. */
  cpuTicks: number;
}

async function readStat(pid: number | "self"): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid: pid === "self" ? process.pid : pid, ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process's reaped children: the exact CPU time of a child tree once it is waited for. */
export async function reapedChildrenCpu(): Promise<number | undefined> {
  try {
    const text = await readFile("/proc/self/stat", "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) / TICKS;
  } catch {
    return undefined;
  }
}

export async function memoryKb(pid: number): Promise<{ rss: number; hwm: number }> {
  try {
    const text = await readFile(`/proc/${pid}/status`, "utf8");
    const get = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { rss: get("VmRSS"), hwm: get("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

async function childrenOf(pid: number): Promise<number[] | undefined> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const out: number[] = [];
    for (const t of tasks) {
      const text = await readFile(`/proc/${pid}/task/${t}/children`, "utf8");
      for (const c of text.split(" ")) if (c.trim()) out.push(Number(c));
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Every live process under `root`, root included. */
export async function processTree(root: number): Promise<ProcStat[]> {
  const out: ProcStat[] = [];
  const queue = [root];
  let scanned: Map<number, number[]> | undefined;
  while (queue.length) {
    const pid = queue.shift()!;
    const st = await readStat(pid);
    if (!st) continue;
    out.push(st);
    let kids = await childrenOf(pid);
    if (kids === undefined) {
      // kernels without /proc/<pid>/task/<tid>/children: one scan of all processes
      scanned ??= await scanParents();
      kids = scanned.get(pid) ?? [];
    }
    queue.push(...kids);
  }
  return out;
}

async function scanParents(): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  for (const name of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const st = await readStat(Number(name));
    if (st) map.set(st.ppid, [...(map.get(st.ppid) ?? []), st.pid]);
  }
  return map;
}

/**
 * Samples a child's whole process tree while it runs: peak memory (sum of resident sets
 * of the processes alive at once, or one process's own high-water mark, whichever is
 * larger) and CPU time (each live process plus what it has reaped). Linux only; elsewhere
 * only wall time is measured.
 */
export class TreeSampler {
  peakRssKb = 0;
  peakProcesses = 0;
  cpuSeconds = 0;
  readonly supported = process.platform === "linux";
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly root: number,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (!this.supported) return;
    setTimeout(() => void this.sample(), 30).unref();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const tree = await processTree(this.root);
      if (tree.length === 0) return;
      let rss = 0;
      for (const p of tree) {
        const m = await memoryKb(p.pid);
        rss += m.rss;
        this.peakRssKb = Math.max(this.peakRssKb, m.hwm);
      }
      this.peakRssKb = Math.max(this.peakRssKb, rss);
      this.peakProcesses = Math.max(this.peakProcesses, tree.length);
      this.cpuSeconds = Math.max(this.cpuSeconds, tree.reduce((n, p) => n + p.cpuTicks, 0) / TICKS);
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

interface GpuStats {
  name: string;
  samples: number;
  utilSum: number;
  utilMax: number;
  memMaxMb: number;
  memTotalMb: number;
}

/**
 * GPU utilisation and memory from `nvidia-smi`, one line per GPU per second, for as long
 * as the run lasts. Absent nvidia-smi, nothing is sampled.
 */
export class GpuSampler {
  private child: ChildProcess | undefined;
  private readonly gpus = new Map<string, GpuStats>();
  private buf = "";

  constructor(private readonly nvidiaSmi: string | undefined, private readonly environ: NodeJS.ProcessEnv) {}

  start(): void {
    if (!this.nvidiaSmi) return;
    const args = ["--query-gpu=index,name,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits", "-lms", "1000"];
    const child = spawn(this.nvidiaSmi, args, { stdio: ["ignore", "pipe", "ignore"], env: this.environ });
    child.on("error", () => undefined);
    child.stdout!.setEncoding("utf8").on("data", (t: string) => {
      this.buf += t;
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        this.line(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
    });
    this.child = child;
  }

  private line(text: string): void {
    const [index, name, util, used, total] = text.split(",").map((s) => s.trim());
    const u = Number(util);
    const m = Number(used);
    if (index === undefined || !Number.isFinite(u) || !Number.isFinite(m)) return;
    const g = this.gpus.get(index) ?? { name: name ?? "", samples: 0, utilSum: 0, utilMax: 0, memMaxMb: 0, memTotalMb: Number(total) || 0 };
    g.samples++;
    g.utilSum += u;
    g.utilMax = Math.max(g.utilMax, u);
    g.memMaxMb = Math.max(g.memMaxMb, m);
    this.gpus.set(index, g);
  }

  /** Stop sampling; one entry per GPU seen. */
  async stop(): Promise<JsonObject[]> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((ok) => {
        child.once("close", () => ok());
        child.kill("SIGTERM");
        setTimeout(ok, 1000).unref();
      });
    }
    return [...this.gpus.entries()].map(([index, g]) => ({
      index: Number(index),
      name: g.name,
      utilization_mean_pct: Math.round((g.utilSum / g.samples) * 10) / 10,
      utilization_max_pct: g.utilMax,
      memory_max_mb: g.memMaxMb,
      memory_total_mb: g.memTotalMb,
      samples: g.samples,
    }));
  }
}

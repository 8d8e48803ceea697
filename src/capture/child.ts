import { spawn, type ChildProcess } from "node:child_process";
import { CappedLog } from "./capped-log.js";
import type { MetricsTail } from "./metrics-tail.js";
import type { Series } from "../core/experiment.js";
import { GpuSampler, TreeSampler, reapedChildrenCpu } from "./resources.js";
import { SystemSampler } from "./system-metrics.js";

export interface ChildOptions {
  /** The program and its arguments, run without a shell. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the child's output goes as it arrives, byte for byte (and always into the log). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  metrics: MetricsTail;
  /** Called about once a second while the child runs, after new metrics were read. */
  onTick?: () => void;
  nvidiaSmi?: string;
  /** Sample system metrics over time this often; undefined: not at all (--no-system-metrics). */
  systemIntervalMs?: number;
  log?: CappedLog;
}

export interface ChildResult {
  /** The child's exit code, or 128 + the signal number when a signal ended it (as a shell says). */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** The signal git-exp was asked to pass on (Ctrl-C, SIGTERM), if any. */
  interruptedBy: NodeJS.Signals | null;
  startedAt: number;
  wallSeconds: number;
  cpuSeconds: number | undefined;
  /** True when CPU time comes from samples rather than the kernel's exact account. */
  cpuSampled: boolean;
  peakRssBytes: number | undefined;
  peakProcesses: number | undefined;
  gpus: Record<string, unknown>[];
  /** System metrics over time: series named system/..., empty when not sampled. */
  system: Record<string, Series>;
  log: CappedLog;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGABRT: 6, SIGBUS: 7, SIGUSR1: 10, SIGUSR2: 12 };

/** Runs of this process alive at once: the exact CPU account is only exact for a lone child. */
let live = 0;
let overlapEpoch = 0;

/** A command that has been started: wait for it with `done`, pass a signal with `interrupt`. */
export class ChildRun {
  readonly done: Promise<ChildResult>;
  private child: ChildProcess | undefined;
  private interruptedBy: NodeJS.Signals | null = null;

  /** Throws the spawn error (ENOENT, EACCES) when the command could not start. */
  static async start(options: ChildOptions): Promise<ChildRun> {
    const run = new ChildRun(options);
    await run.started;
    return run;
  }

  private started: Promise<void>;

  private constructor(private readonly o: ChildOptions) {
    let startedOk!: () => void;
    let startFailed!: (e: Error) => void;
    this.started = new Promise((ok, fail) => {
      startedOk = ok;
      startFailed = fail;
    });
    this.done = this.run(startedOk, startFailed);
    this.done.catch(() => undefined);
  }

  /** The child got the signal another way (the terminal's Ctrl-C): only remember it. */
  markInterrupted(signal: NodeJS.Signals): void {
    this.interruptedBy ??= signal;
  }

  /**
   * Pass a signal to the child; the run is then recorded as interrupted. False when the child
   * has already exited: it ran to its end, and is recorded as it ended.
   */
  interrupt(signal: NodeJS.Signals): boolean {
    const c = this.child;
    if (c && (c.exitCode !== null || c.signalCode !== null)) return false;
    this.interruptedBy ??= signal;
    try {
      c?.kill(signal);
    } catch {
      // gone between the check and the kill
    }
    return true;
  }

  private async run(startedOk: () => void, startFailed: (e: Error) => void): Promise<ChildResult> {
    const o = this.o;
    const log = o.log ?? new CappedLog();
    const cpuBefore = await reapedChildrenCpu();
    const startedAt = Date.now();
    const t0 = performance.now();
    const child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ["inherit", "pipe", "pipe"] });
    this.child = child;
    const spawned = await new Promise<Error | null>((ok) => {
      child.once("spawn", () => ok(null));
      child.once("error", (e) => ok(e));
    });
    if (spawned) {
      startFailed(spawned);
      throw spawned;
    }
    live++;
    const alone = live === 1;
    const epoch = alone ? overlapEpoch : ++overlapEpoch;
    startedOk();
    const tree = new TreeSampler(child.pid!);
    tree.start();
    const gpu = new GpuSampler(o.nvidiaSmi, o.env);
    gpu.start();
    const system = o.systemIntervalMs ? new SystemSampler({ pid: child.pid!, intervalMs: o.systemIntervalMs, nvidiaSmi: o.nvidiaSmi, environ: o.env }) : undefined;
    system?.start();
    for (const name of ["stdout", "stderr"] as const) {
      child[name]!.on("data", (b: Buffer) => {
        log.write(b);
        o.onOutput?.(name, b);
      });
    }
    const ticker = setInterval(() => {
      void o.metrics.poll().then(() => o.onTick?.(), () => undefined);
    }, 1000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((ok) => {
      child.once("exit", (c, s) => ok([c, s]));
    });
    const cpuAfter = await reapedChildrenCpu();
    const wallSeconds = (performance.now() - t0) / 1000;
    live--;
    const exact = alone && epoch === overlapEpoch && cpuBefore !== undefined && cpuAfter !== undefined;
    clearInterval(ticker);
    tree.stop();
    await drainOutput(child);
    const [gpus, systemSeries] = await Promise.all([gpu.stop(), system ? system.stop() : {}]);
    const exitCode = code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0);
    return {
      exitCode,
      signal,
      interruptedBy: this.interruptedBy,
      startedAt,
      wallSeconds,
      cpuSeconds: exact ? Math.max(cpuAfter! - cpuBefore!, 0) : tree.supported ? tree.cpuSeconds : undefined,
      cpuSampled: !exact,
      peakRssBytes: tree.supported ? tree.peakRssKb * 1024 : undefined,
      peakProcesses: tree.supported ? tree.peakProcesses : undefined,
      gpus,
      system: systemSeries,
      log,
    };
  }
}

/**
 * After the child exits, take what is left in its pipes, but do not wait for a
 * grandchild that inherited them and lives on (a child that forks and exits).
 */
async function drainOutput(child: ChildProcess): Promise<void> {
  const streams = [child.stdout!, child.stderr!];
  await Promise.race([
    Promise.all(streams.map((s) => (s.readableEnded || s.destroyed ? undefined : new Promise((ok) => s.once("close", ok))))),
    new Promise((ok) => setTimeout(ok, 300).unref()),
  ]);
  for (const s of streams) s.destroy();
}

import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Repository } from "../store/repository.js";
import { executorNamed } from "./executors/executors.js";
import { MetricsTail } from "./metrics-tail.js";
import type { LiveRun, LiveProgress } from "../core/live-results.js";

/** How long an ended run's record stays, so a dashboard can follow it to its experiment. */
const ENDED_KEEP_MS = 5 * 60_000;

function liveDir(repo: Repository): string {
  return join(repo.expDir, "live");
}

async function writeRecord(file: string, run: LiveRun): Promise<void> {
  // write then rename so a reader never sees half a record
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(run) + "\n");
  await rename(tmp, file);
}

export interface LiveHandle {
  key: string;
  /** The run ended: say which experiment it became (kept a few minutes), or nothing to remove the record. */
  finish(outcome?: { experiment: string; status: string }): Promise<void>;
}

export async function startLive(repo: Repository, run: Omit<LiveRun, "key">): Promise<LiveHandle> {
  const key = `${run.pid}-${Date.parse(run.started_at)}-${randomBytes(3).toString("hex")}`;
  const dir = liveDir(repo);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${key}.json`);
  const record: LiveRun = { ...run, key };
  await writeRecord(file, record);
  return {
    key,
    finish: async (outcome) => {
      if (!outcome) return rm(file, { force: true });
      await writeRecord(file, { ...record, ended_at: new Date().toISOString(), ...outcome });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs in progress, newest first; with `ended`, also runs that ended in the last minutes.
 * Records whose process is gone without ending the run, and old ended ones, are removed.
 */
export async function listLive(repo: Repository, options: { ended?: boolean; now?: number } = {}): Promise<LiveRun[]> {
  const dir = liveDir(repo);
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: LiveRun[] = [];
  const scheduled: { file: string; run: LiveRun }[] = [];
  for (const n of names.filter((f) => f.endsWith(".json"))) {
    const file = join(dir, n);
    let run: LiveRun;
    try {
      run = JSON.parse(await readFile(file, "utf8")) as LiveRun;
    } catch {
      continue; // a record being replaced right now: skip it this time
    }
    if (run.ended_at) {
      if (now - Date.parse(run.ended_at) > ENDED_KEEP_MS) await rm(file, { force: true });
      else if (options.ended) out.push(run);
    } else if (run.executor && run.worker) scheduled.push({ file, run });
    else if (alive(run.pid)) out.push(run);
    else await rm(file, { force: true });
  }
  out.push(...(await stillScheduled(scheduled)));
  await removeStaleTemps(dir, names, now);
  return out.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : a.key < b.key ? -1 : 1));
}

/**
 * Runs on other machines: the pid says nothing here, the scheduler says whether the worker
 * still runs. When it cannot be asked (no client on this machine), a record is kept while
 * its pid lives on its own host, and shown when it is another host's.
 */
async function stillScheduled(records: { file: string; run: LiveRun }[]): Promise<LiveRun[]> {
  const out: LiveRun[] = [];
  const byExecutor = new Map<string, { file: string; run: LiveRun }[]>();
  for (const r of records) byExecutor.set(r.run.executor!, [...(byExecutor.get(r.run.executor!) ?? []), r]);
  for (const [name, list] of byExecutor) {
    let running: Set<string> | undefined;
    try {
      const states = await executorNamed(name).states([...new Set(list.map((r) => r.run.worker!))], process.env);
      running = new Set(states.filter((st) => st.state !== "ended").map((st) => st.id));
    } catch {
      running = undefined;
    }
    for (const { file, run } of list) {
      const live = running ? running.has(run.worker!) : run.host !== hostname() || alive(run.pid);
      if (live) out.push(run);
      else await rm(file, { force: true });
    }
  }
  return out;
}

/** Temporary files left by a writer that died between write and rename. */
async function removeStaleTemps(dir: string, names: string[], now: number): Promise<void> {
  for (const n of names.filter((f) => f.endsWith(".tmp"))) {
    const st = await stat(join(dir, n)).catch(() => undefined);
    if (st && now - st.mtimeMs > 60_000) await rm(join(dir, n), { force: true });
  }
}

/**
 * Follows the metrics files of live runs as they grow: each call reads only what was
 * appended since the last one. Forgets runs no longer asked about.
 */
export class LiveMetrics {
  private readonly tails = new Map<string, MetricsTail>();

  async progress(runs: LiveRun[]): Promise<Map<string, LiveProgress>> {
    const out = new Map<string, LiveProgress>();
    const keys = new Set(runs.map((r) => r.key));
    for (const [k, t] of this.tails) {
      if (keys.has(k)) continue;
      this.tails.delete(k);
      await t.close();
    }
    for (const r of runs) {
      if (r.ended_at) continue;
      let tail = this.tails.get(r.key);
      if (!tail) this.tails.set(r.key, (tail = new MetricsTail(r.metrics_file)));
      await tail.poll();
      out.set(r.key, progressOf(tail));
    }
    return out;
  }

  async close(): Promise<void> {
    for (const t of this.tails.values()) await t.close();
    this.tails.clear();
  }
}

function progressOf(tail: MetricsTail): LiveProgress {
  const series = tail.snapshot();
  // NaN and infinities stay numbers: every renderer spells them as the storage format does.
  const latest: Record<string, number | null> = Object.fromEntries(tail.latest);
  return { step: tail.latestStep, latest, series, lines: tail.lines };
}

/** One look at a live run's metrics so far (for `ls --running`). */
export async function readLiveProgress(run: LiveRun): Promise<LiveProgress> {
  const tail = new MetricsTail(run.metrics_file);
  try {
    await tail.poll();
    return progressOf(tail);
  } finally {
    await tail.close();
  }
}

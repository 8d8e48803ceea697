import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonObject } from "../core/json.js";
import type { Repository } from "../store/repository.js";

/**
 * A run in progress leaves a small record under `<git dir>/exp/live/`, so `ls --running`
 * and the dashboard can show it (and its metrics file growing) before it is recorded.
 */
export interface LiveRun {
  /** Unique per run: `<pid>-<start ms>`. */
  key: string;
  pid: number;
  started_at: string;
  command: string[];
  name?: string;
  config: JsonObject;
  metrics_file: string;
  cwd: string;
}

function liveDir(repo: Repository): string {
  return join(repo.expDir, "live");
}

export async function startLive(repo: Repository, run: Omit<LiveRun, "key">): Promise<{ key: string; finish: () => Promise<void> }> {
  const key = `${run.pid}-${Date.parse(run.started_at)}`;
  const dir = liveDir(repo);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${key}.json`);
  // write then rename so a reader never sees half a record
  await writeFile(`${file}.tmp`, JSON.stringify({ ...run, key }));
  await rename(`${file}.tmp`, file);
  return { key, finish: () => rm(file, { force: true }) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs in progress; records whose process is gone are removed on the way. */
export async function listLive(repo: Repository): Promise<LiveRun[]> {
  const dir = liveDir(repo);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: LiveRun[] = [];
  for (const n of names.filter((f) => f.endsWith(".json"))) {
    try {
      const run = JSON.parse(await readFile(join(dir, n), "utf8")) as LiveRun;
      if (alive(run.pid)) out.push(run);
      else await rm(join(dir, n), { force: true });
    } catch {
      // a record being replaced right now: skip it this time
    }
  }
  return out.sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
}

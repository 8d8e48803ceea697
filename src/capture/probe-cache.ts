import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A per-machine cache of slow probes under `<git dir>/exp/`: each entry is kept with the
 * key it was measured under (boot time, executable path and mtime, ...) and used only
 * while the key still matches. Never committed; deleting it costs one slow run.
 */
export interface CacheEntry<T> {
  key: string;
  value: T;
  /** What the probe cost when it last ran, in milliseconds. */
  cost_ms: number;
}

const VERSION = 1;

export class JsonCache {
  private entries: Record<string, CacheEntry<unknown>> = {};
  private dirty = false;

  private constructor(private readonly file: string | undefined) {}

  /** A cache stored in `file`; a missing or unreadable file is an empty cache. */
  static async open(file: string | undefined): Promise<JsonCache> {
    const c = new JsonCache(file);
    if (!file) return c;
    try {
      const doc = JSON.parse(await readFile(file, "utf8")) as { version?: number; entries?: Record<string, CacheEntry<unknown>> };
      if (doc.version === VERSION && doc.entries && typeof doc.entries === "object") c.entries = doc.entries;
    } catch {
      // absent or damaged: start empty, it is only a cache
    }
    return c;
  }

  get<T>(name: string, key: string): CacheEntry<T> | undefined {
    const e = this.entries[name];
    return e && e.key === key ? (e as CacheEntry<T>) : undefined;
  }

  set<T>(name: string, entry: CacheEntry<T>): void {
    this.entries[name] = entry;
    this.dirty = true;
  }

  delete(name: string): void {
    if (name in this.entries) {
      delete this.entries[name];
      this.dirty = true;
    }
  }

  names(): string[] {
    return Object.keys(this.entries);
  }

  /** Write atomically (temp file + rename) so two runs at once never leave half a file. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const dir = join(this.file, "..");
    await mkdir(dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ version: VERSION, entries: this.entries }));
      await rename(tmp, this.file);
      this.dirty = false;
    } catch {
      // a read-only .git only loses the cache, never the run
    }
  }
}

/** Run `probe` unless the cache holds a value for `key`; remember its cost. */
export async function cached<T>(
  cache: JsonCache,
  name: string,
  key: string,
  probe: () => Promise<T>,
  timings?: Record<string, number>,
): Promise<T> {
  const hit = cache.get<T>(name, key);
  if (hit) {
    if (timings) timings[name] = 0;
    return hit.value;
  }
  const t = performance.now();
  const value = await probe();
  const cost = Math.round(performance.now() - t);
  if (timings) timings[name] = cost;
  cache.set(name, { key, value, cost_ms: cost });
  return value;
}

import type { Stats } from "node:fs";
import { join } from "node:path";
import { JsonCache } from "./probe-cache.js";

const HASH_CACHE_FILE = "hash-cache.json";

/**
 * File checksums remembered by path, size, mtime and inode, so a 10 GB dataset that did
 * not change is not hashed again. As git's index does, a file modified within the last
 * couple of seconds is not trusted to the cache: it could change again within the same
 * mtime tick.
 */
export class HashCache {
  hits = 0;
  misses = 0;

  private constructor(private readonly cache: JsonCache) {}

  static async open(cacheDir: string | undefined): Promise<HashCache> {
    return new HashCache(await JsonCache.open(cacheDir ? join(cacheDir, HASH_CACHE_FILE) : undefined));
  }

  private static key(st: Stats): string {
    return `${st.size} ${st.mtimeMs} ${st.ino} ${st.ctimeMs}`;
  }

  get(path: string, st: Stats): string | undefined {
    const hit = this.cache.get<string>(path, HashCache.key(st));
    if (hit) this.hits++;
    else this.misses++;
    return hit?.value;
  }

  set(path: string, st: Stats, sha256: string, costMs: number): void {
    if (Date.now() - st.mtimeMs < 2000) return;
    this.cache.set(path, { key: HashCache.key(st), value: sha256, cost_ms: costMs });
  }

  save(): Promise<void> {
    return this.cache.save();
  }
}

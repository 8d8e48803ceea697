import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { NotFoundError } from "../core/errors.js";
import type { JsonObject } from "../core/json.js";
import type { HashCache } from "./hash-cache.js";

export interface FileSum extends JsonObject {
  sha256: string;
  size: number;
}

/** sha256 of a file, streamed so a 10 GB dataset never sits in memory. */
export function sha256File(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (b) => h.update(b))
      .on("error", fail)
      .on("end", () => ok(h.digest("hex")));
  });
}

async function walk(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.name === ".git") continue;
    out.push(...(await walk(join(path, e.name))));
  }
  return out.sort();
}

/** One file found under the paths a user gave: its key in inputs.json and where it is. */
export interface FoundFile {
  key: string;
  path: string;
  sum: FileSum;
}

/**
 * Checksums of files and directories, keyed by path relative to `base` (the work tree),
 * with forward slashes so the same data gives the same inputs.json on every OS. With a
 * cache, unchanged files are not read again.
 */
export async function checksumPaths(
  paths: string[],
  base: string,
  cache?: HashCache,
  cwd = process.cwd(),
): Promise<Record<string, FileSum>> {
  const out: Record<string, FileSum> = {};
  for (const f of await checksumFiles(paths, base, cache, cwd)) out[f.key] = f.sum;
  return out;
}

/** Paths are relative to `cwd`, where the user typed them; keys relative to `base`. */
export async function checksumFiles(
  paths: string[],
  base: string,
  cache?: HashCache,
  cwd = process.cwd(),
): Promise<FoundFile[]> {
  const found: { key: string; path: string }[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let files: string[];
    try {
      files = await walk(abs);
    } catch {
      throw new NotFoundError(`${p} does not exist; give an existing file or directory`);
    }
    for (const f of files) {
      const rel = relative(base, f);
      found.push({ key: (rel.startsWith("..") ? f : rel).split(sep).join("/"), path: f });
    }
  }
  // Two files at a time: reading one while hashing the other keeps both the disk and a core busy.
  const out: FoundFile[] = new Array(found.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < found.length) {
      const i = next++;
      const { key, path } = found[i]!;
      out[i] = { key, path, sum: await checksumOne(path, cache) };
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

async function checksumOne(path: string, cache: HashCache | undefined): Promise<FileSum> {
  const st = await stat(path);
  const hit = cache?.get(path, st);
  if (hit) return { sha256: hit, size: st.size };
  const t = performance.now();
  const sha256 = await sha256File(path);
  cache?.set(path, st, sha256, Math.round(performance.now() - t));
  return { sha256, size: st.size };
}

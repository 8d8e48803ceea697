import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { NotFoundError } from "../core/errors.js";
import type { JsonObject } from "../core/json.js";

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

/**
 * Checksums of files and directories, keyed by path relative to `base` (the work tree),
 * with forward slashes so the same data gives the same inputs.json on every OS.
 */
export async function checksumPaths(paths: string[], base: string): Promise<Record<string, FileSum>> {
  const out: Record<string, FileSum> = {};
  for (const p of paths) {
    const abs = resolve(p);
    let files: string[];
    try {
      files = await walk(abs);
    } catch {
      throw new NotFoundError(`${p} does not exist; give an existing file or directory`);
    }
    for (const f of files) {
      const rel = relative(base, f);
      const key = (rel.startsWith("..") ? f : rel).split(sep).join("/");
      out[key] = { sha256: await sha256File(f), size: (await stat(f)).size };
    }
  }
  return out;
}

import { isFullId } from "../core/ids.js";
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { commonGitDir, type Repository } from "./repository.js";

/** Longer than any packed-refs line git-exp writes (a 64-hex id and its ref, ~147 bytes): past it, git decides. */
const WINDOW = 1024;

/**
 * The ids of the experiment refs whose name starts with `refs/experiments/<prefix>`, read
 * from the files-backend as git itself does, without starting git: packed-refs by binary
 * search over the sorted file (a few reads of 2 KiB whatever its size) and the loose refs'
 * folder. Refs whose name is not their target are left out, as the full listing leaves them.
 * Null when git must answer (reftable, an unsorted or unusual packed-refs).
 */
export function experimentIdsByPrefix(repo: Repository, namespace: string, prefix: string): string[] | null {
  const common = commonGitDir(repo.gitDir);
  if (existsSync(join(common, "reftable"))) return null;
  const packed = packedWithPrefix(join(common, "packed-refs"), namespace + prefix);
  if (packed === null) return null;
  const ids = new Map<string, boolean>(packed.filter((l) => l.name === namespace + l.target).map((l) => [l.target, true]));
  let loose: string[];
  try {
    loose = readdirSync(join(common, namespace)).filter((n) => n.startsWith(prefix) && !n.endsWith(".lock"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") loose = [];
    else return null;
  }
  for (const name of loose) {
    let text: string;
    try {
      text = readFileSync(join(common, namespace, name), "latin1").trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EISDIR") continue;
      return null; // deleted while looking: git decides
    }
    // A loose ref hides a packed one of the same name.
    ids.set(name, text === name && isFullId(name));
  }
  return [...ids].filter(([, ok]) => ok).map(([id]) => id);
}

interface PackedLine {
  name: string;
  target: string;
}

/** The packed refs whose name starts with `key`; [] without packed-refs; null when the file is not sorted or a line is unusually long. */
function packedWithPrefix(path: string, key: string): PackedLine[] | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? [] : null;
  }
  try {
    const size = fstatSync(fd).size;
    const read = (from: number, to: number): string => {
      const buf = Buffer.allocUnsafe(Math.max(0, to - from));
      const n = buf.length === 0 ? 0 : readSync(fd, buf, 0, buf.length, from);
      return buf.toString("latin1", 0, n);
    };
    let lo = 0;
    const head = read(0, Math.min(size, WINDOW));
    if (head.startsWith("#")) {
      const nl = head.indexOf("\n");
      // Only a file git marked sorted can be searched; git writes it so since 2.20.
      if (nl < 0 || !head.slice(0, nl).includes(" sorted")) return null;
      lo = nl + 1;
    }
    // The first record whose name is >= key, as git's own packed-refs lookup finds it.
    let hi = size;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const from = Math.max(lo, mid - WINDOW);
      const text = read(from, Math.min(size, mid + WINDOW));
      let start = text.lastIndexOf("\n", mid - from - 1) + 1;
      if (start === 0 && from !== lo) return null;
      // A peeled line (`^<id>`) belongs to the record before it.
      if (text[start] === "^") {
        start = text.lastIndexOf("\n", start - 2) + 1;
        if (start === 0 && from !== lo) return null;
      }
      const end = text.indexOf("\n", start);
      if (end < 0) return null;
      const line = text.slice(start, end);
      const name = line.slice(line.indexOf(" ") + 1);
      if (name < key) {
        let next = end + 1;
        if (text[next] === "^") {
          next = text.indexOf("\n", next) + 1;
          if (next === 0) return null;
        }
        lo = from + next;
      } else hi = from + start;
    }
    const out: PackedLine[] = [];
    for (let pos = lo; pos < size; ) {
      const text = read(pos, Math.min(size, pos + 64 * WINDOW));
      const last = text.lastIndexOf("\n");
      if (last < 0) return null;
      for (const line of text.slice(0, last).split("\n")) {
        if (line.startsWith("^")) continue;
        const sp = line.indexOf(" ");
        const name = line.slice(sp + 1);
        if (!name.startsWith(key)) return out;
        out.push({ name, target: line.slice(0, sp) });
      }
      pos += last + 1;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

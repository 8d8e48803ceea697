import { readFileSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { commonGitDir, type Repository } from "../store/repository.js";
import { racyMs } from "../store/refs.js";

export { commonGitDir };

export interface Fingerprint {
  value: string;
  /**
   * A file changed within the last moments (racyMs): a second change in the same clock tick
   * could leave the stats unchanged (git's "racy clean" problem), so this one must not be trusted.
   */
  racy: boolean;
}

/**
 * "Did any experiment ref or annotation change?" from a handful of stat calls instead of
 * listing 100,000 refs: git rewrites packed-refs by rename (new inode), and creating or
 * deleting a loose ref changes its directory's mtime. Costs microseconds.
 */
export function refsFingerprint(repo: Repository, now = Date.now()): Fingerprint {
  const dir = commonGitDir(repo.gitDir);
  const parts: string[] = [];
  let newest = 0;
  let window = 0;
  for (const path of ["packed-refs", "refs/experiments", "refs/notes", "refs/notes/experiments", "reftable/tables.list", "reftable"]) {
    const st = statSync(join(dir, path), { bigint: true, throwIfNoEntry: false });
    if (!st) {
      parts.push(`${path}:-`);
      continue;
    }
    parts.push(`${path}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
    newest = Math.max(newest, Number(st.mtimeNs / 1_000_000n), Number(st.ctimeNs / 1_000_000n));
    window = Math.max(window, racyMs(st.mtimeNs));
  }
  try {
    parts.push(readFileSync(join(dir, "refs/notes/experiments"), "utf8").trim());
  } catch {
    // notes packed or absent: packed-refs' stats cover them
  }
  return { value: createHash("sha1").update(parts.join("\n")).digest("hex"), racy: now - newest < window };
}

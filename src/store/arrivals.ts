import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { commonGitDir, type Repository } from "./repository.js";

/**
 * Experiments this clone did not make itself: every id `pull` promoted or `import` created,
 * one a line in `<git dir>/exp/arrived`. Kept apart from the index (a cache that may be
 * deleted): `repro` reads it to ask before running a command someone else recorded.
 */
function arrivalsFile(repo: Repository): string {
  return join(commonGitDir(repo.gitDir), "exp", "arrived");
}

/** Note that these experiments came from elsewhere. Appends: two writers at once lose nothing. */
export async function noteArrived(repo: Repository, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const file = arrivalsFile(repo);
  await mkdir(join(file, ".."), { recursive: true });
  await appendFile(file, ids.map((id) => `${id}\n`).join(""));
}

/** Whether the experiment came through `pull` or `import`. */
export async function hasArrived(repo: Repository, id: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(arrivalsFile(repo), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  return text.split("\n").includes(id);
}

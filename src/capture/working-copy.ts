import { constants } from "node:fs";
import { copyFile, lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { EnvironmentError } from "../core/errors.js";
import type { Source } from "../core/experiment.js";
import type { Repository } from "../store/repository.js";
import { workTreeFiles } from "../store/work-tree.js";
import type { FileSum } from "./checksums.js";

/**
 * The folder one point runs in. `top` is the tree the command sees (the work tree itself,
 * a per-point copy of it, or a checkout of a recorded commit); the keys of inputs.json and
 * outputs.json are relative to it. `cwd` is where the command starts, inside `top`.
 */
export interface WorkFolder {
  top: string;
  cwd: string;
  /** The code state recorded with the run; captured from the repository when absent. */
  source?: Source;
  /** patch.diff of the run; captured from the repository when absent. */
  patch?: Uint8Array;
  /** inputs.json, already checked by the caller (a rerun locates recorded inputs itself). */
  inputSums?: Record<string, FileSum>;
}

/** A folder made for one point: removed once the point is recorded. */
export interface TemporaryFolder extends WorkFolder {
  remove(): Promise<void>;
}

/** Running in place: the command sees the user's work tree, as `-j 1` always does. */
export function inPlace(workTree: string | null, cwd: string): WorkFolder {
  return { top: workTree ?? cwd, cwd };
}

/**
 * A path the user gave (relative to where they typed it) as the point sees it: paths in the
 * user's work tree map into the point's folder; paths outside every tree stay as given.
 */
export function pathInPoint(work: WorkFolder, userTop: string, userCwd: string, path: string): string {
  const abs = resolve(userCwd, path);
  const rel = relative(userTop, abs);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) return join(work.top, rel);
  return abs;
}

/**
 * A copy of the work tree for one parallel sweep point: the tracked files and the untracked
 * ones git does not ignore are copied (cloned where the file system can), so the point sees
 * exactly what a run in place sees; ignored paths (data folders, virtual environments) are
 * symlinks to the originals, so a 10 GB `data/` is not copied. `own` are the paths the
 * point writes and must not share (--output, --results): they, and the ignored folders
 * above them, are never linked, so each point writes its own.
 */
export async function copyWorkTree(repo: Repository, workTree: string, cwd: string, own: string[]): Promise<TemporaryFolder> {
  const root = await mkdtemp(join(tmpdir(), "git-exp-point-"));
  const top = join(root, "tree");
  const remove = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const ownRel = own.map((p) => relative(workTree, p)).filter((r) => r !== "" && !r.startsWith("..") && !isAbsolute(r));
    const isOwn = (rel: string): boolean => ownRel.some((o) => o === rel || o.startsWith(rel + sep));
    const holdsOwn = (rel: string): boolean => ownRel.some((o) => o.startsWith(rel + sep));
    await mkdir(top);
    const files = (await workTreeFiles(repo, workTree, "visible")).filter((rel) => !isOwn(rel));
    for (const d of new Set(files.map((rel) => dirname(join(top, rel))))) await mkdir(d, { recursive: true });
    await eachAtOnce(files, 16, (rel) => copyEntry(join(workTree, rel), join(top, rel)));
    const link = async (rel: string): Promise<void> => {
      if (ownRel.includes(rel)) return;
      if (!holdsOwn(rel)) return linkEntry(join(workTree, rel), join(top, rel));
      // an ignored folder holding an output: made for real, its other entries linked
      await mkdir(join(top, rel), { recursive: true });
      for (const e of await readdir(join(workTree, rel))) await link(join(rel, e));
    };
    for (const rel of await workTreeFiles(repo, workTree, "ignored")) await link(rel);
    const inTop = join(top, relative(workTree, cwd));
    await mkdir(inTop, { recursive: true });
    return { top, cwd: inTop, remove };
  } catch (e) {
    await remove();
    throw e instanceof EnvironmentError ? e : new EnvironmentError(`could not make a working copy for a sweep point in ${root}: ${(e as Error).message}; run with -j 1 to run in place`, { cause: e });
  }
}

/** `f` over `items`, `n` at a time: file copies wait on the disk, not the CPU. */
async function eachAtOnce<T>(items: T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** A file is copied (cloned when the file system can); a folder (a submodule) is linked. */
async function copyEntry(from: string, to: string): Promise<void> {
  const st = await lstat(from).catch(() => undefined);
  if (!st) return; // tracked but deleted in the work tree: the point does not see it either
  if (st.isSymbolicLink()) await symlink(await readlink(from), to);
  else if (st.isDirectory()) await symlink(from, to);
  else await copyFile(from, to, constants.COPYFILE_FICLONE);
}

async function linkEntry(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await symlink(from, to);
}

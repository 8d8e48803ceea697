import { stat } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Repository } from "../store/repository.js";
import { trackedPaths } from "../store/work-tree.js";

/**
 * The words of a command that may name files: its arguments, the values of `--opt=value`,
 * and the words of an `sh -c` line. A rough reading, only used for warnings: a word with
 * shell expansion in it is not looked at.
 */
function words(argv: string[]): string[] {
  const line = argv.length === 3 && argv[0] === "sh" && argv[1] === "-c" ? argv[2]! : undefined;
  const raw = line !== undefined ? line.split(/[\s;&|<>()]+/).map((w) => w.replace(/^['"]|['"]$/g, "")) : argv;
  const out: string[] = [];
  for (const w of raw) {
    const value = w.startsWith("-") ? (w.includes("=") ? w.slice(w.indexOf("=") + 1) : "") : w;
    if (value && !/[$*?`~]/.test(value)) out.push(value);
  }
  return [...new Set(out)];
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

function inside(top: string, path: string): string | undefined {
  const rel = relative(top, path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : rel;
}

/** What a commit cannot give back of a command's files, said before it runs. */
export interface UnreproducibleFiles {
  /** Files outside the work tree (programs on PATH excepted). */
  outside: string[];
  /** Files in the work tree that git does not track. */
  untracked: string[];
}

/** What a run says of such files before it starts. */
export function unreproducibleWarnings(found: UnreproducibleFiles): string[] {
  return [
    ...found.outside.map((f) => `the command names ${f}, outside the work tree: 'git exp repro' cannot rebuild it from the commit`),
    ...found.untracked.map((f) => `the command names ${f}, which git does not track: commit it, or 'git exp repro' will not find it`),
  ];
}

/**
 * Files the command names that a rerun from the commit will not find: outside the work tree
 * or not tracked. `skip` are paths the run declares otherwise (--input data is checksummed).
 */
export async function unreproducibleFiles(
  argv: string[],
  cwd: string,
  repo: Repository,
  environ: NodeJS.ProcessEnv,
  skip: string[] = [],
): Promise<UnreproducibleFiles> {
  const out: UnreproducibleFiles = { outside: [], untracked: [] };
  const workTree = repo.workTree;
  if (workTree === null) return out;
  const pathDirs = new Set((environ["PATH"] ?? "").split(delimiter).filter(Boolean).map((d) => resolve(d)));
  const skipped = new Set(skip.map((p) => resolve(cwd, p)));
  const inTree: [string, string][] = [];
  for (const w of words(argv)) {
    const abs = resolve(cwd, w);
    if (skipped.has(abs) || !(await isFile(abs))) continue;
    const rel = inside(workTree, abs);
    if (rel === undefined) {
      if (!pathDirs.has(dirname(abs))) out.outside.push(w);
    } else inTree.push([w, rel]);
  }
  if (inTree.length === 0) return out;
  const tracked = (await trackedPaths(repo, inTree.map(([, rel]) => rel))) ?? new Set(inTree.map(([, rel]) => rel));
  for (const [w, rel] of inTree) if (!tracked.has(rel.split("\\").join("/"))) out.untracked.push(w);
  return out;
}

/**
 * Files the command names that a checkout of the source commit lacks while the user's work
 * tree (`mirror`) has them at the same place: the script was never committed, so the rerun
 * cannot run it, which is no sign of nondeterminism.
 */
export async function commandFiles(
  argv: string[],
  cwd: string,
  tree: { top: string; mirror: string },
): Promise<{ missing: string[] }> {
  const missing: string[] = [];
  const rel = relative(tree.top, cwd);
  for (const w of words(argv)) {
    if (isAbsolute(w)) {
      if (/\.(py|sh|mjs|js|ts|rb|pl|R|jl|lua)$/.test(w) && !(await isFile(w))) missing.push(w);
      continue;
    }
    if (await isFile(join(cwd, w))) continue;
    if (await isFile(join(tree.mirror, rel, w))) missing.push(w);
  }
  return { missing };
}

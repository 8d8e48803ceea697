import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../core/errors.js";
import { runGit } from "./git.js";
import { gitIn, gitOptions, type Repository } from "./repository.js";

/** Trees of code: built from a commit with changes on top, compared, committed. */

/**
 * The tree of `commit` with `patch` applied and `file` written, built in a throw-away index
 * so neither the work tree nor the real index moves. `patchError` is git's complaint when the
 * patch does not apply.
 */
export async function treeWithChanges(
  repo: Repository,
  commit: string,
  changes: { patch?: Uint8Array; file?: { path: string; text: string } },
): Promise<{ tree: string } | { patchError: string }> {
  const dir = await mkdtemp(join(tmpdir(), "git-exp-apply-"));
  const env = { GIT_INDEX_FILE: join(dir, "index") };
  try {
    await gitIn(repo, ["read-tree", commit], { env });
    if (changes.patch) {
      const r = await runGit(["apply", "--cached", "--binary", "--whitespace=nowarn"], gitOptions(repo, { env, input: changes.patch }));
      if (r.code !== 0) return { patchError: r.stderr.trim() };
    }
    if (changes.file) {
      const blob = (await gitIn(repo, ["hash-object", "-w", "--stdin"], { input: changes.file.text })).trim();
      await gitIn(repo, ["update-index", "--add", "--cacheinfo", `100644,${blob},${changes.file.path}`], { env });
    }
    return { tree: (await gitIn(repo, ["write-tree"], { env })).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** HEAD's tree, or the empty tree before the first commit. */
export async function headTree(repo: Repository): Promise<string> {
  const r = await runGit(["rev-parse", "-q", "--verify", "HEAD^{tree}"], gitOptions(repo));
  if (r.code === 0) return r.stdout.toString("utf8").trim();
  return (await gitIn(repo, ["hash-object", "-t", "tree", "--stdin"], { input: "" })).trim();
}

export async function treeOf(repo: Repository, commit: string): Promise<string> {
  return (await gitIn(repo, ["rev-parse", `${commit}^{tree}`])).trim();
}

/** A commit of `tree` on `parent`; writes the commit object, moves no ref. */
export async function commitTree(repo: Repository, tree: string, parent: string, message: string): Promise<string> {
  return (await gitIn(repo, ["commit-tree", tree, "-p", parent], { input: message })).trim();
}

/** The binary patch from one tree (or commit) to another, as `git apply` takes it. */
export async function treeDiff(repo: Repository, from: string, to: string): Promise<Buffer> {
  const r = await runGit(["diff", "--binary", "--full-index", "--no-color", "--no-ext-diff", "--no-renames", from, to], gitOptions(repo));
  if (r.code !== 0) throw new EnvironmentError(`git diff failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** `git diff --name-status` between two trees or commits; null when git cannot compare them. */
export async function changedFiles(repo: Repository, a: string, b: string): Promise<{ status: string; path: string }[] | null> {
  const r = await runGit(["diff", "--name-status", "--no-renames", "-z", a, b], gitOptions(repo));
  if (r.code !== 0) return null;
  const parts = r.stdout.toString("utf8").split("\0").filter(Boolean);
  const out: { status: string; path: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ status: parts[i]!, path: parts[i + 1]! });
  return out;
}

/** Commits in a range (`A..B`); 0 when git cannot count them. */
export async function countCommits(repo: Repository, range: string): Promise<number> {
  const r = await runGit(["rev-list", "--count", range], gitOptions(repo));
  return r.code === 0 ? Number(r.stdout.toString("utf8").trim()) : 0;
}

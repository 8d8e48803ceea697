import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { EnvironmentError } from "../core/errors.js";
import type { Source } from "../core/experiment.js";
import { git, runGit } from "./git.js";
import { gitOptions, type Repository } from "./repository.js";

/**
 * What the layers above ask of a work tree: its state when a run starts, the files it holds,
 * patches applied to it, and the throw-away worktrees a rerun checks out. Each runs git in the
 * repository's environment.
 */

/**
 * The code state a run starts from, in one `git status` call: HEAD commit (null before the
 * first commit or in a bare repository), branch (null when detached), dirty tracked files.
 */
export async function workTreeSource(repo: Repository): Promise<Source> {
  if (repo.workTree === null) return { commit: null, branch: null, dirty: false };
  const args = ["status", "--porcelain=v2", "--branch", "--untracked-files=no", "--ignore-submodules=dirty"];
  const r = await runGit(args, gitOptions(repo, { cwd: repo.workTree }));
  if (r.code !== 0) return { commit: null, branch: null, dirty: false };
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of r.stdout.toString("utf8").split("\n")) {
    if (line.startsWith("# branch.oid ")) {
      const oid = line.slice("# branch.oid ".length);
      commit = /^[0-9a-f]+$/.test(oid) ? oid : null;
    } else if (line.startsWith("# branch.head ")) {
      const head = line.slice("# branch.head ".length);
      branch = head === "(detached)" ? null : head;
    } else if (line && !line.startsWith("#")) dirty = true;
  }
  return { commit, branch, dirty };
}

/** The uncommitted changes to tracked files, as `git apply` takes them; "" when clean. */
export async function uncommittedPatch(repo: Repository): Promise<Uint8Array> {
  if (repo.workTree === null) return EMPTY;
  const options = gitOptions(repo, { cwd: repo.workTree });
  const head = await runGit(["rev-parse", "-q", "--verify", "HEAD"], options);
  if (head.code !== 0) return EMPTY;
  const r = await runGit(["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff", "--full-index"], options);
  // Bytes as git wrote them: a tracked file in Latin-1 (or any non-UTF-8 text git diffs as
  // text) must come back byte for byte when the patch is applied.
  return r.code === 0 ? r.stdout : EMPTY;
}

const EMPTY = new Uint8Array(0);

/** Tracked files among `paths` (relative to the top, `/`-separated); null when git cannot tell. */
export async function trackedPaths(repo: Repository, paths: string[]): Promise<Set<string> | null> {
  if (repo.workTree === null) return null;
  const r = await runGit(["ls-files", "-z", "--", ...paths], gitOptions(repo, { cwd: repo.workTree }));
  return r.code === 0 ? new Set(r.stdout.toString("utf8").split("\0")) : null;
}

const FILE_SETS = {
  /** What a run in place sees of the work tree: tracked and untracked files, not ignored ones. */
  visible: ["--cached", "--others", "--exclude-standard"],
  /** Ignored files, and ignored folders as one entry each. */
  ignored: ["--others", "--ignored", "--exclude-standard", "--directory"],
} as const;

/** Paths of the work tree's files of one kind, relative to its top, with the platform's separator. */
export async function workTreeFiles(repo: Repository, workTree: string, which: keyof typeof FILE_SETS): Promise<string[]> {
  const r = await runGit(["ls-files", "-z", ...FILE_SETS[which]], gitOptions(repo, { cwd: workTree }));
  if (r.code !== 0) throw new EnvironmentError(`git ls-files failed in ${workTree}: ${r.stderr.trim()}`);
  const seen = new Set<string>();
  for (const p of r.stdout.toString("utf8").split("\0")) {
    const rel = p.replace(/\/$/, "");
    if (rel) seen.add(rel.split("/").join(sep));
  }
  return [...seen];
}

/** Tracked files with uncommitted changes in the work tree at `top`. */
export async function changedTrackedFiles(repo: Repository, top: string): Promise<string[]> {
  const status = await git(["status", "--porcelain", "--untracked-files=no"], gitOptions(repo, { cwd: top }));
  return status.split("\n").filter(Boolean).map((l) => l.slice(3));
}

/**
 * Whether the work tree at `top` holds `tree`: every file of the tree is there with its
 * content, tracked or not (a file the tree adds is untracked after `git apply`, as is a config
 * file HEAD lacks), and no tracked file the tree lacks is there. Untracked files the tree does
 * not name are not looked at.
 */
export async function workTreeMatches(repo: Repository, top: string, tree: string): Promise<boolean> {
  // The tree's files against the work tree, through a throw-away index holding the tree.
  const dir = await mkdtemp(join(tmpdir(), "git-exp-match-"));
  try {
    const env = { GIT_INDEX_FILE: join(dir, "index") };
    await git(["read-tree", tree], gitOptions(repo, { cwd: top, env }));
    if ((await runGit(["diff", "--quiet", "--"], gitOptions(repo, { cwd: top, env }))).code !== 0) return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // The tracked files against the tree: what differs is either a file the tree has and the
  // index lacks (shown as deleted, checked above) or a tracked file the tree lacks.
  const options = gitOptions(repo, { cwd: top, env: { GIT_LITERAL_PATHSPECS: "1" } });
  const differing = await runGit(["diff", "--name-only", "-z", "--no-renames", tree, "--"], options);
  if (differing.code !== 0) return false;
  const paths = differing.stdout.toString("utf8").split("\0").filter(Boolean);
  if (paths.length === 0) return true;
  const inTree = await runGit(["ls-tree", "-r", "-z", "--name-only", tree, "--", ...paths], options);
  if (inTree.code !== 0) return false;
  const held = new Set(inTree.stdout.toString("utf8").split("\0"));
  return paths.every((p) => held.has(p));
}

/** `git apply` of a patch in the work tree at `dir`: git's complaint when it does not apply, else undefined. */
export async function applyPatch(repo: Repository, dir: string, patch: Uint8Array): Promise<string | undefined> {
  const r = await runGit(["apply", "--binary", "--whitespace=nowarn"], gitOptions(repo, { cwd: dir, input: patch }));
  return r.code === 0 ? undefined : r.stderr.trim();
}

/** A detached worktree of `commit` at `dir`: git's complaint when it fails, else undefined. */
export async function addWorktree(repo: Repository, dir: string, commit: string): Promise<string | undefined> {
  const r = await runGit(["worktree", "add", "--detach", "--quiet", dir, commit], gitOptions(repo));
  return r.code === 0 ? undefined : r.stderr.trim();
}

/** Best effort: a worktree that is already gone is no error. */
export async function removeWorktree(repo: Repository, dir: string): Promise<void> {
  await runGit(["worktree", "remove", "--force", dir], gitOptions(repo));
}

/** Forget the admin entries of worktrees whose folders are gone. */
export async function pruneWorktrees(repo: Repository): Promise<void> {
  await runGit(["worktree", "prune"], gitOptions(repo));
}

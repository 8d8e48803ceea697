import { EnvironmentError } from "../core/errors.js";
import { runGit, git, type GitOptions } from "./git.js";
import type { HashAlgo } from "./objects.js";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where a repository lives and how it hashes; found once per process. */
export interface Repository {
  /** Absolute path of the git directory (`.git`, or the bare repository). */
  gitDir: string;
  /** The work tree, or null in a bare repository. */
  workTree: string | null;
  /** Where git commands run. */
  cwd: string;
  algo: HashAlgo;
  /** `<git dir>/exp`: the index and caches, never committed. */
  expDir: string;
  /** The environment every git command of this repository runs in (the workspace's). */
  env: NodeJS.ProcessEnv;
}

export async function openRepository(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<Repository> {
  // One git call for every fact: --show-toplevel comes last because outside a work tree
  // (a bare repository, inside .git) it fails after the others were printed.
  const r = await runGit(["rev-parse", "--absolute-git-dir", "--is-bare-repository", "--show-object-format", "--show-toplevel"], { cwd, env });
  const [gitDir, bare, format, top] = r.stdout.toString("utf8").trim().split("\n");
  const noWorkTree = r.code !== 0 && /work tree/.test(r.stderr);
  if (!format || (r.code !== 0 && !noWorkTree)) {
    throw new EnvironmentError(
      `${cwd} is not inside a git repository: run 'git init' first, or cd into a repository`,
    );
  }
  const workTree = bare !== "true" && !noWorkTree && top ? top : null;
  const algo: HashAlgo = format === "sha256" ? "sha256" : "sha1";
  return { gitDir: gitDir!, workTree, cwd: workTree ?? gitDir!, algo, expDir: join(gitDir!, "exp"), env };
}

/** Options for a git command in the repository: its environment, with `env` added on top. */
export function gitOptions(repo: Repository, options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Uint8Array } = {}): GitOptions {
  return { cwd: options.cwd ?? repo.cwd, env: options.env ? { ...repo.env, ...options.env } : repo.env, input: options.input };
}

export function gitIn(repo: Repository, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Uint8Array } = {}): Promise<string> {
  return git(args, gitOptions(repo, options));
}

/** Refs live in the common git dir, shared by every worktree of a repository. */
export function commonGitDir(gitDir: string): string {
  try {
    return resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim());
  } catch {
    return gitDir;
  }
}

import { EnvironmentError, NotFoundError, UsageError } from "../core/errors.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

/** The commit a ref names, or null when it does not resolve. */
export async function resolveCommit(repo: Repository, ref: string): Promise<string | null> {
  if (ref.startsWith("-")) return null;
  const r = await runGit(["rev-parse", "-q", "--verify", `${ref}^{commit}`], { cwd: repo.cwd });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

export async function isShallow(repo: Repository): Promise<boolean> {
  const r = await runGit(["rev-parse", "--is-shallow-repository"], { cwd: repo.cwd });
  return r.stdout.toString("utf8").trim() === "true";
}

/** A commit that must exist; in a shallow clone its absence gets the advice CI users need. */
export async function requireCommit(repo: Repository, ref: string, what: string): Promise<string> {
  const id = await resolveCommit(repo, ref);
  if (id) return id;
  if (await isShallow(repo)) {
    throw new EnvironmentError(
      `the ${what} ${ref} is not in this shallow clone: fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)`,
    );
  }
  throw new NotFoundError(`the ${what} ${ref} is not a commit in this repository; fetch it or give another ref`);
}

export async function mergeBase(repo: Repository, a: string, b: string): Promise<string | null> {
  const r = await runGit(["merge-base", a, b], { cwd: repo.cwd });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

/** Commits in base..head, newest first. */
export async function commitsBetween(repo: Repository, base: string, head: string): Promise<string[]> {
  const r = await runGit(["rev-list", `${base}..${head}`], { cwd: repo.cwd });
  if (r.code !== 0) throw new EnvironmentError(`git rev-list ${base}..${head} failed: ${r.stderr.trim()}`);
  return r.stdout.toString("utf8").split("\n").filter(Boolean);
}

/** The first-parent history from a commit, newest first: how a branch moved. */
export async function firstParentHistory(repo: Repository, from: string, limit: number): Promise<string[]> {
  const r = await runGit(["rev-list", "--first-parent", `--max-count=${limit}`, from], { cwd: repo.cwd });
  if (r.code !== 0) throw new EnvironmentError(`git rev-list ${from} failed: ${r.stderr.trim()}`);
  return r.stdout.toString("utf8").split("\n").filter(Boolean);
}

/**
 * The base a pull request is compared with: GITHUB_BASE_REF in GitHub Actions, else the
 * remote's default branch, else main or master.
 */
export async function defaultBaseRef(repo: Repository, env: NodeJS.ProcessEnv): Promise<string> {
  const candidates: string[] = [];
  const gh = env["GITHUB_BASE_REF"];
  if (gh) candidates.push(`origin/${gh}`, gh);
  candidates.push("origin/HEAD", "origin/main", "origin/master", "main", "master");
  for (const c of candidates) if (await resolveCommit(repo, c)) return c;
  if (gh && (await isShallow(repo))) {
    throw new EnvironmentError(`the base branch ${gh} is not in this shallow clone: check out with fetch-depth: 0`);
  }
  throw new UsageError("cannot tell which branch this change is compared with: give --base REF (for example --base origin/main)");
}

import { EnvironmentError, NotFoundError, UsageError } from "../core/errors.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

/** The commit a ref names, or null when it does not resolve. */
export async function resolveCommit(repo: Repository, ref: string): Promise<string | null> {
  if (ref.startsWith("-")) return null;
  const r = await runGit(["rev-parse", "-q", "--verify", `${ref}^{commit}`], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

export async function isShallow(repo: Repository): Promise<boolean> {
  const r = await runGit(["rev-parse", "--is-shallow-repository"], { cwd: repo.cwd, env: repo.env });
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
  const r = await runGit(["merge-base", a, b], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

/** Commits in base..head, newest first. */
export async function commitsBetween(repo: Repository, base: string, head: string): Promise<string[]> {
  const r = await runGit(["rev-list", `${base}..${head}`], { cwd: repo.cwd, env: repo.env });
  if (r.code !== 0) throw new EnvironmentError(`git rev-list ${base}..${head} failed: ${r.stderr.trim()}`);
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

export interface HistoryCommit {
  commit: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/** A branch's first-parent history, oldest first: the line of code changes a branch made. */
export async function branchHistory(repo: Repository, rev: string, max = 100_000): Promise<HistoryCommit[]> {
  if (rev.startsWith("-") || /[\s\0]/.test(rev)) throw new NotFoundError(`'${rev}' is not a branch or commit name`);
  const check = await runGit(["rev-parse", "-q", "--verify", `${rev}^{commit}`], { cwd: repo.cwd, env: repo.env });
  if (check.code !== 0) throw new NotFoundError(`no branch or commit named '${rev}' in this repository; see 'git branch'`);
  const r = await runGit(["log", "--first-parent", `--max-count=${max}`, "--format=%H%x00%cI%x00%s", check.stdout.toString("utf8").trim()], {
    cwd: repo.cwd, env: repo.env,
  });
  if (r.code !== 0) throw new NotFoundError(`cannot read the history of '${rev}': ${r.stderr.trim()}`);
  const out: HistoryCommit[] = [];
  for (const line of r.stdout.toString("utf8").split("\n")) {
    if (!line) continue;
    const [commit, date, subject] = line.split("\0");
    out.push({ commit: commit!, date: date!, subject: subject ?? "" });
  }
  return out.reverse();
}

/** The first-parent history from a commit as ids, newest first, at most `limit`. */
export async function firstParentHistory(repo: Repository, from: string, limit: number): Promise<string[]> {
  return (await branchHistory(repo, from, limit)).map((c) => c.commit).reverse();
}

import { EnvironmentError, NotFoundError, UsageError } from "../core/errors.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

export interface HistoryCommit {
  commit: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/**
 * What the layers above ask of the code's history: GitHistory answers from git, MemoryStore
 * (memory-store.ts) from commits it was given, for fast tests of analysis.
 */
export interface CommitHistory {
  /** The commit a ref names, or null when it does not resolve. */
  resolveCommit(ref: string): Promise<string | null>;
  isShallow(): Promise<boolean>;
  mergeBase(a: string, b: string): Promise<string | null>;
  /** Commits in base..head, newest first. */
  commitsBetween(base: string, head: string): Promise<string[]>;
  /** A branch's first-parent history, oldest first, at most `max` commits. */
  branchHistory(rev: string, max?: number): Promise<HistoryCommit[]>;
}

export class GitHistory implements CommitHistory {
  constructor(private readonly repo: Repository) {}

  async resolveCommit(ref: string): Promise<string | null> {
    if (ref.startsWith("-")) return null;
    const r = await this.git(["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
    return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
  }

  async isShallow(): Promise<boolean> {
    const r = await this.git(["rev-parse", "--is-shallow-repository"]);
    return r.stdout.toString("utf8").trim() === "true";
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const r = await this.git(["merge-base", a, b]);
    return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
  }

  async commitsBetween(base: string, head: string): Promise<string[]> {
    const r = await this.git(["rev-list", `${base}..${head}`]);
    if (r.code !== 0) throw new EnvironmentError(`git rev-list ${base}..${head} failed: ${r.stderr.trim()}`);
    return r.stdout.toString("utf8").split("\n").filter(Boolean);
  }

  async branchHistory(rev: string, max = 100_000): Promise<HistoryCommit[]> {
    checkRevName(rev);
    const check = await this.git(["rev-parse", "-q", "--verify", `${rev}^{commit}`]);
    if (check.code !== 0) throw noSuchRev(rev);
    const r = await this.git(["log", "--first-parent", `--max-count=${max}`, "--format=%H%x00%cI%x00%s", check.stdout.toString("utf8").trim()]);
    if (r.code !== 0) throw new NotFoundError(`cannot read the history of '${rev}': ${r.stderr.trim()}`);
    const out: HistoryCommit[] = [];
    for (const line of r.stdout.toString("utf8").split("\n")) {
      if (!line) continue;
      const [commit, date, subject] = line.split("\0");
      out.push({ commit: commit!, date: date!, subject: subject ?? "" });
    }
    return out.reverse();
  }

  private git(args: string[]): ReturnType<typeof runGit> {
    return runGit(args, { cwd: this.repo.cwd, env: this.repo.env });
  }
}

/** What a branch-history reader refuses before asking: an option, or a name git cannot hold. */
export function checkRevName(rev: string): void {
  if (rev.startsWith("-") || /[\s\0]/.test(rev)) throw new NotFoundError(`'${rev}' is not a branch or commit name`);
}

export function noSuchRev(rev: string): NotFoundError {
  return new NotFoundError(`no branch or commit named '${rev}' in this repository; see 'git branch'`);
}

/** A commit that must exist; in a shallow clone its absence gets the advice CI users need. */
export async function requireCommit(history: CommitHistory, ref: string, what: string): Promise<string> {
  const id = await history.resolveCommit(ref);
  if (id) return id;
  if (await history.isShallow()) {
    throw new EnvironmentError(
      `the ${what} ${ref} is not in this shallow clone: fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)`,
    );
  }
  throw new NotFoundError(`the ${what} ${ref} is not a commit in this repository; fetch it or give another ref`);
}

/**
 * The base a pull request is compared with: GITHUB_BASE_REF in GitHub Actions, else the
 * remote's default branch, else main or master.
 */
export async function defaultBaseRef(history: CommitHistory, env: NodeJS.ProcessEnv): Promise<string> {
  const candidates: string[] = [];
  const gh = env["GITHUB_BASE_REF"];
  if (gh) candidates.push(`origin/${gh}`, gh);
  candidates.push("origin/HEAD", "origin/main", "origin/master", "main", "master");
  for (const c of candidates) if (await history.resolveCommit(c)) return c;
  if (gh && (await history.isShallow())) {
    throw new EnvironmentError(`the base branch ${gh} is not in this shallow clone: check out with fetch-depth: 0`);
  }
  throw new UsageError("cannot tell which branch this change is compared with: give --base REF (for example --base origin/main)");
}

/** The first-parent history from a commit as ids, newest first, at most `limit`. */
export async function firstParentHistory(history: CommitHistory, from: string, limit: number): Promise<string[]> {
  return (await history.branchHistory(from, limit)).map((c) => c.commit).reverse();
}

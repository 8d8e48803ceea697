import { runGit, type GitResult } from "./git.js";
import type { Repository } from "./repository.js";

/** One ref's outcome in `git push --porcelain`. */
export interface PushStatus {
  /** `*` new, `=` up to date, `!` rejected, ` ` fast-forward, `+` forced, `-` deleted. */
  flag: string;
  summary: string;
}

/** Ref updates git refuses because another writer got there first: worth retrying. */
export const RACE = /cannot lock|failed to lock|fetch first|incorrect old value|stale info|failed to update ref|unable to update local ref|is at .* but expected/i;

/**
 * `git push --porcelain` through the system git, so every transport and credential helper
 * the user has works. Returns each destination ref's status.
 */
export async function gitPush(repo: Repository, target: string, refspecs: string[], flags: string[] = []): Promise<{ result: GitResult; status: Map<string, PushStatus> }> {
  const result = await runGit(["push", "--porcelain", "--no-follow-tags", ...flags, target, ...refspecs], { cwd: repo.cwd, env: repo.env });
  const status = new Map<string, PushStatus>();
  for (const line of result.stdout.toString("utf8").split("\n")) {
    const m = /^([ +\-*!=])\t([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const dst = m[2]!.slice(m[2]!.indexOf(":") + 1);
    status.set(dst, { flag: m[1]!, summary: m[3]! });
  }
  return { result, status };
}

/** `git fetch` of explicit refspecs (given on stdin, so thousands fit), never touching tags. */
export function gitFetch(repo: Repository, target: string, refspecs: string[], options: { prune?: boolean } = {}): Promise<GitResult> {
  const args = ["fetch", "--no-tags", "--quiet", "--no-write-fetch-head", ...(options.prune ? ["--prune"] : []), target];
  if (refspecs.length <= 8) return runGit([...args, ...refspecs], { cwd: repo.cwd, env: repo.env });
  return runGit([...args, "--stdin"], { cwd: repo.cwd, env: repo.env, input: refspecs.join("\n") + "\n" });
}

/** Refs a remote advertises under a prefix: ref name -> object id. */
export async function lsRemote(repo: Repository, target: string, pattern: string): Promise<{ result: GitResult; refs: Map<string, string> }> {
  const result = await runGit(["ls-remote", target, pattern], { cwd: repo.cwd, env: repo.env });
  const refs = new Map<string, string>();
  for (const line of result.stdout.toString("utf8").split("\n")) {
    const [id, ref] = line.split("\t");
    if (id && ref) refs.set(ref, id);
  }
  return { result, refs };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Backoff with jitter, so racing writers do not retry in lockstep. */
export function backoffMs(attempt: number): number {
  return Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random());
}

import { NOTES_REF } from "../core/annotations.js";
import { runGit, GitCommandError } from "./git.js";
import { INCOMING_REFS, transportError, type Remote } from "./remote.js";
import type { Repository } from "./repository.js";
import { backoffMs, gitFetch, gitPush, sleep, RACE } from "./transport.js";

export type NotesOutcome = "none" | "up to date" | "fast-forward" | "merged" | "sent" | "refused";

/** Where a remote's notes land before they are merged: refs/exp-incoming/<remote>/notes. */
export function incomingNotesRef(remote: Remote): string {
  return `${INCOMING_REFS}${remote.label}/notes`;
}

/**
 * The refspec for the notes ref. A glob, not the exact name: git refuses an exact refspec
 * whose ref does not exist yet, which would break a plain `git fetch` or `git push` on a
 * remote or clone without annotations.
 */
export function notesFetchRefspec(remote: Remote): string {
  return `+${NOTES_REF}*:${incomingNotesRef(remote)}*`;
}

async function revParse(repo: Repository, ref: string): Promise<string | null> {
  const r = await runGit(["rev-parse", "-q", "--verify", `${ref}^{commit}`], { cwd: repo.cwd });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

async function isAncestor(repo: Repository, a: string, b: string): Promise<boolean> {
  return (await runGit(["merge-base", "--is-ancestor", a, b], { cwd: repo.cwd })).code === 0;
}

/**
 * Merge incoming annotation events into ours with union semantics (git's cat_sort_uniq):
 * events are append-only lines, so concatenating both sides never loses or invents one.
 */
export async function mergeNotes(repo: Repository, incoming: string): Promise<NotesOutcome> {
  const theirs = await revParse(repo, incoming);
  if (!theirs) return "none";
  const ours = await revParse(repo, NOTES_REF);
  if (ours === theirs || (ours && (await isAncestor(repo, theirs, ours)))) return "up to date";
  if (!ours || (await isAncestor(repo, ours, theirs))) {
    const args = ["update-ref", NOTES_REF, theirs, ours ?? "0".repeat(theirs.length)];
    const r = await runGit(args, { cwd: repo.cwd });
    if (r.code !== 0) throw new GitCommandError(args, r);
    return "fast-forward";
  }
  const args = ["notes", `--ref=${NOTES_REF}`, "merge", "-q", "-s", "cat_sort_uniq", incoming];
  const r = await runGit(args, { cwd: repo.cwd, env: { GIT_REFLOG_ACTION: "git exp pull" } });
  if (r.code !== 0) throw new GitCommandError(args, r);
  return "merged";
}

/** Bring a remote's notes into quarantine, then merge them into ours. */
export async function fetchAndMergeNotes(repo: Repository, remote: Remote): Promise<NotesOutcome> {
  const r = await gitFetch(repo, remote.target, [notesFetchRefspec(remote)]);
  if (r.code !== 0) throw transportError("fetch annotations from", remote, r.stderr);
  return mergeNotes(repo, incomingNotesRef(remote));
}

/**
 * Push our notes. When the remote moved on (another clone pushed annotations), fetch and
 * merge theirs, then push again: the push is a fast-forward of the merged notes.
 */
export async function pushNotes(repo: Repository, remote: Remote, attempts = 12): Promise<NotesOutcome> {
  if (!(await revParse(repo, NOTES_REF))) return "none";
  for (let attempt = 0; attempt < attempts; attempt++) {
    const { result, status } = await gitPush(repo, remote.target, [`${NOTES_REF}:${NOTES_REF}`]);
    const s = status.get(NOTES_REF);
    if (!s) throw transportError("push annotations to", remote, result.stderr);
    if (s.flag === "=") return "up to date";
    if (s.flag !== "!") return "sent";
    // "[rejected] (fetch first)" or a lost race: merge theirs and retry; a hook's "no" is final.
    if (/remote rejected/.test(s.summary) && !RACE.test(s.summary)) return "refused";
    await fetchAndMergeNotes(repo, remote);
    await sleep(backoffMs(attempt));
  }
  return "refused";
}

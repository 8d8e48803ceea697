import { NOTES_REF } from "../core/annotations.js";
import { addRefused, screenIncoming, type AnnotationPolicy } from "./annotation-policy.js";
import type { IncomingEvent } from "../core/annotation-trust.js";
import type { NotesOutcome } from "../core/share-results.js";
import { runGit, GitCommandError } from "./git.js";
import { INCOMING_REFS, transportError, type Remote } from "./remote.js";
import { gitOptions, type Repository } from "./repository.js";
import { backoffMs, gitFetch, gitPush, sleep, RACE } from "./transport.js";


/** What a merge of another clone's notes did, and the events in it a user must hear about. */
export interface NotesMerge {
  outcome: NotesOutcome;
  /** Deletes, renames and restores it brought, and every event the policy kept out. */
  events: IncomingEvent[];
}

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
  const r = await runGit(["rev-parse", "-q", "--verify", `${ref}^{commit}`], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

async function isAncestor(repo: Repository, a: string, b: string): Promise<boolean> {
  return (await runGit(["merge-base", "--is-ancestor", a, b], { cwd: repo.cwd, env: repo.env })).code === 0;
}

/**
 * Merge incoming annotation events into ours with union semantics (git's cat_sort_uniq):
 * events are append-only lines, so concatenating both sides never loses or invents one.
 * The events the policy refuses are listed as refused first, so they are never read here,
 * even for a moment; they still travel in the notes, for other clones to judge.
 */
export async function mergeNotes(repo: Repository, incoming: string, policy: AnnotationPolicy): Promise<NotesMerge> {
  const theirs = await revParse(repo, incoming);
  if (!theirs) return { outcome: "none", events: [] };
  const ours = await revParse(repo, NOTES_REF);
  if (ours === theirs || (ours && (await isAncestor(repo, theirs, ours)))) return { outcome: "up to date", events: [] };
  const screened = await screenIncoming(repo, ours, theirs, policy);
  await addRefused(repo, screened.refused);
  if (!ours || (await isAncestor(repo, ours, theirs))) {
    const args = ["update-ref", NOTES_REF, theirs, ours ?? "0".repeat(theirs.length)];
    const r = await runGit(args, { cwd: repo.cwd, env: repo.env });
    if (r.code !== 0) throw new GitCommandError(args, r);
    return { outcome: "fast-forward", events: screened.reported };
  }
  const args = ["notes", `--ref=${NOTES_REF}`, "merge", "-q", "-s", "cat_sort_uniq", incoming];
  const r = await runGit(args, gitOptions(repo, { env: { GIT_REFLOG_ACTION: "git exp pull" } }));
  if (r.code !== 0) throw new GitCommandError(args, r);
  return { outcome: "merged", events: screened.reported };
}

/** Bring a remote's notes into quarantine, then merge them into ours. */
async function fetchAndMergeNotes(repo: Repository, remote: Remote, policy: AnnotationPolicy): Promise<NotesMerge> {
  const r = await gitFetch(repo, remote.target, [notesFetchRefspec(remote)]);
  if (r.code !== 0) throw transportError("fetch annotations from", remote, r.stderr);
  return mergeNotes(repo, incomingNotesRef(remote), policy);
}

/**
 * Push our notes. When the remote moved on (another clone pushed annotations), fetch and
 * merge theirs, then push again: the push is a fast-forward of the merged notes.
 */
export async function pushNotes(repo: Repository, remote: Remote, policy: AnnotationPolicy, merged: IncomingEvent[] = [], attempts = 12): Promise<NotesOutcome> {
  if (!(await revParse(repo, NOTES_REF))) return "none";
  for (let attempt = 0; attempt < attempts; attempt++) {
    const { result, status } = await gitPush(repo, remote.target, [`${NOTES_REF}:${NOTES_REF}`]);
    const s = status.get(NOTES_REF);
    if (!s) throw transportError("push annotations to", remote, result.stderr);
    if (s.flag === "=") return "up to date";
    if (s.flag !== "!") return "sent";
    // "[rejected] (fetch first)" or a lost race: merge theirs and retry; a hook's "no" is final.
    if (/remote rejected/.test(s.summary) && !RACE.test(s.summary)) return "refused";
    merged.push(...(await fetchAndMergeNotes(repo, remote, policy)).events);
    await sleep(backoffMs(attempt));
  }
  return "refused";
}

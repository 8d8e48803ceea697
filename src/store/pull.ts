import { isFullId } from "../core/ids.js";
import { foldAnnotations, type AnnotationEvent } from "../core/annotations.js";
import { DEFAULT_POLICY, type AnnotationPolicy } from "./annotation-policy.js";
import { readAllAnnotations } from "./annotations.js";
import { noteArrived } from "./arrivals.js";
import type { PullSummary } from "../core/share-results.js";
import { incomingNotesRef, mergeNotes, notesFetchRefspec } from "./notes-sync.js";
import { createRef, createRefsAtomically, createRefsPacked, listExperimentRefs, packRefs, EXPERIMENT_REFS } from "./refs.js";
import { INCOMING_REFS, resolveRemote, transportError, type Remote } from "./remote.js";
import type { Repository } from "./repository.js";
import { gitFetch, lsRemote } from "./transport.js";
import { verifyExperiments } from "./verify.js";
import { VerifyAhead } from "./verify-ahead.js";



export interface PullOptions {
  remote?: string;
  /** What to accept of the remote's annotations (default: everything not dated in the future). */
  policy?: AnnotationPolicy;
  /** Skip the fetch: check and promote what a plain `git fetch` already put in quarantine. */
  fetch?: boolean;
}

/** refs/exp-incoming/<remote>/experiments/: a mirror of the remote's experiment refs. */
function incomingExperimentRefs(remote: Remote): string {
  return `${INCOMING_REFS}${remote.label}/experiments/`;
}

export function experimentsFetchRefspec(remote: Remote): string {
  return `+${EXPERIMENT_REFS}*:${incomingExperimentRefs(remote)}*`;
}

/**
 * Pull experiments and annotations. Everything lands in quarantine first
 * (refs/exp-incoming/<remote>/, also where a plain `git fetch` set up by init puts it); an
 * experiment gets a ref
 * in refs/experiments only after it passed every check of verifyExperiments, so a hostile
 * or broken remote can never put a forged or malformed experiment where the index and the
 * other commands look. Rejected ones stay in quarantine, to inspect.
 */
export async function pull(repo: Repository, options: PullOptions = {}): Promise<PullSummary> {
  const remote = await resolveRemote(repo, options.remote);
  const summary: PullSummary = { remote: remote.target, remoteCount: 0, added: [], skippedDeleted: 0, rejected: [], notes: "none", events: [] };
  const policy = options.policy ?? { ...DEFAULT_POLICY, nowMs: Date.now() };
  // Listed before the fetch so the checks that run during it can skip what is here already.
  const local = new Set((await listExperimentRefs(repo)).refs.map((r) => r.id));
  const ahead = options.fetch !== false ? await fetchCheckingAhead(repo, remote, summary, local) : null;
  // The checks of the last experiments fetched finish while the quarantine is listed.
  const passedAhead = ahead ? ahead.finish() : Promise.resolve(new Set<string>());
  const [offered, notes] = await Promise.all([mirroredRefs(repo, remote), mergeNotes(repo, incomingNotesRef(remote), policy)]);
  summary.notes = notes.outcome;
  summary.events = notes.events;
  const candidates = sortOffered(summary, remote, offered, local);
  const [problems, events] = await Promise.all([
    passedAhead.then((passed) => verifyExperiments(repo, candidates.filter((id) => !passed.has(id)))),
    candidates.length ? readAllAnnotations(repo) : Promise.resolve(new Map<string, AnnotationEvent[]>()),
  ]);
  for (const [id, reason] of problems) {
    summary.rejected.push({ ref: incomingExperimentRefs(remote) + id, id, reason });
  }
  for (const id of candidates) {
    if (problems.has(id)) continue;
    if (foldAnnotations({}, events.get(id) ?? []).deleted) summary.skippedDeleted++;
    else summary.added.push(id);
  }
  // Everything mirrored but not promoted: rejected, or deleted here. Local ones are no-ops.
  const added = new Set(summary.added);
  const excluded = [...offered.keys()].filter((name) => !local.has(name) && !added.has(name));
  await promote(repo, remote, summary.added, excluded);
  await noteArrived(repo, summary.added);
  return summary;
}

/** Remote ref name -> commit id, as mirrored by this fetch or by a plain `git fetch`. */
async function mirroredRefs(repo: Repository, remote: Remote): Promise<Map<string, string>> {
  const offered = new Map<string, string>();
  const mirrored = await listExperimentRefs(repo, incomingExperimentRefs(remote));
  for (const r of mirrored.refs) offered.set(r.id, r.id);
  for (const c of mirrored.corrupt) offered.set(c.ref.slice(incomingExperimentRefs(remote).length), c.target);
  return offered;
}

/** Counts what the remote offers and rejects forged names; returns the ids new here. */
function sortOffered(summary: PullSummary, remote: Remote, offered: Map<string, string>, local: Set<string>): string[] {
  const candidates: string[] = [];
  for (const [name, id] of offered) {
    if (name === id && isFullId(name)) {
      summary.remoteCount++;
      if (!local.has(id)) candidates.push(id);
    } else {
      summary.rejected.push({ ref: incomingExperimentRefs(remote) + name, id: null, reason: `its name does not match its commit ${id}: a forged or corrupt ref` });
    }
  }
  return candidates;
}


/** Above this many exclusions a glob fetch with negative refspecs stops paying off. */
const MAX_EXCLUDED = 64;

/**
 * Give the checked experiments their refs. Many go straight into packed-refs (one file
 * rewritten instead of a file per ref); when git must write them itself (reftable, a
 * reference-transaction hook, the lock busy), a glob fetch from this repository's own
 * quarantine writes 10,000 refs in ~1.4 s where `update-ref --stdin` takes ~5 s; the few
 * experiments that must not be promoted are excluded with negative refspecs.
 */
async function promote(repo: Repository, remote: Remote, ids: string[], excluded: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length > 100 && (await createRefsPacked(repo, ids))) return;
  if (ids.length > 100 && excluded.length <= MAX_EXCLUDED) {
    const q = incomingExperimentRefs(remote);
    const r = await gitFetch(repo, ".", [`${q}*:${EXPERIMENT_REFS}*`, ...excluded.map((id) => `^${q}${id}`)]);
    if (r.code === 0) {
      await packRefs(repo);
      return;
    }
  }
  if (!(await createRefsAtomically(repo, ids))) {
    // Another process (a concurrent pull or record) created some: same name, same content.
    for (const id of ids) await createRef(repo, id);
  }
  if (ids.length > 100) await packRefs(repo);
}

/**
 * The fetch into quarantine, checking the experiments it brings while git writes their
 * refs; finish() gives the ones that passed.
 */
async function fetchCheckingAhead(repo: Repository, remote: Remote, summary: PullSummary, local: Set<string>): Promise<VerifyAhead> {
  const ahead = await VerifyAhead.start(repo, incomingExperimentRefs(remote), local);
  try {
    await fetchIntoQuarantine(repo, remote, summary);
  } catch (e) {
    await ahead.abandon();
    throw e;
  }
  return ahead;
}

/**
 * One fetch of experiments and notes into quarantine: refs/exp-incoming/<remote>/ mirrors
 * the remote. A glob refspec is the only scalable choice (git matches explicit refspecs
 * against every advertised ref, 42 s for 10,000). When a broken remote cannot send some
 * experiment (an object it lacks, such as a source commit), the fetch is split until the
 * experiments it can send are in and the others are reported.
 */
async function fetchIntoQuarantine(repo: Repository, remote: Remote, summary: PullSummary): Promise<void> {
  const r = await gitFetch(repo, remote.target, [experimentsFetchRefspec(remote), notesFetchRefspec(remote)], { prune: true });
  if (r.code === 0) return;
  const listed = await lsRemote(repo, remote.target, `${EXPERIMENT_REFS}*`);
  if (listed.result.code !== 0) throw transportError("fetch from", remote, r.stderr);
  const mirrored = new Set((await listExperimentRefs(repo, incomingExperimentRefs(remote))).refs.map((x) => x.id));
  const wanted = [...listed.refs].filter(([ref, id]) => !(ref.endsWith(id) && mirrored.has(id))).map(([ref]) => ref);
  const failed: string[] = [];
  for (let i = 0; i < wanted.length; i += SPLIT) await fetchSplitting(repo, remote, wanted.slice(i, i + SPLIT), failed);
  for (const ref of failed) {
    summary.rejected.push({
      ref,
      id: ref.slice(EXPERIMENT_REFS.length),
      reason: "the remote cannot send it: it lacks some of its objects (its source commit or a file)",
    });
  }
  const notes = await gitFetch(repo, remote.target, [notesFetchRefspec(remote)]);
  if (notes.code !== 0) throw transportError("fetch annotations from", remote, notes.stderr);
}

/** Explicit refspecs cost O(refs x advertised): keep each fallback fetch small. */
const SPLIT = 256;

async function fetchSplitting(repo: Repository, remote: Remote, refs: string[], failed: string[]): Promise<void> {
  if (refs.length === 0) return;
  const specs = refs.map((ref) => `+${ref}:${incomingExperimentRefs(remote)}${ref.slice(EXPERIMENT_REFS.length)}`);
  const r = await gitFetch(repo, remote.target, specs);
  if (r.code === 0) return;
  if (refs.length === 1) {
    failed.push(refs[0]!);
    return;
  }
  const mid = Math.floor(refs.length / 2);
  await fetchSplitting(repo, remote, refs.slice(0, mid), failed);
  await fetchSplitting(repo, remote, refs.slice(mid), failed);
}

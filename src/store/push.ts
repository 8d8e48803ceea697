import { EXPERIMENT_REFS, listExperimentRefs } from "./refs.js";
import { DEFAULT_POLICY, type AnnotationPolicy } from "./annotation-policy.js";
import type { PushSummary } from "../core/share-results.js";
import { pushNotes } from "./notes-sync.js";
import { resolveRemote, transportError, type Remote } from "./remote.js";
import type { Repository } from "./repository.js";
import { backoffMs, gitPush, sleep, RACE, type PushStatus } from "./transport.js";


export interface PushOptions {
  remote?: string;
  /** What to accept of the remote's annotations when they must be merged before ours go out. */
  policy?: AnnotationPolicy;
  /** Full ids to push; all experiments when absent. */
  ids?: string[];
  attempts?: number;
}

const ALL = `${EXPERIMENT_REFS}*:${EXPERIMENT_REFS}*`;
const CHUNK = 2000;

/**
 * Push experiments and their annotations through the system git. Git sends only the
 * objects the remote lacks, and each experiment's source commit comes along as its parent.
 * Refs that lose a race with another writer are retried; refs are write-once, so a retry
 * finds them either created by us or already there.
 */
export async function push(repo: Repository, options: PushOptions = {}): Promise<PushSummary> {
  const remote = await resolveRemote(repo, options.remote);
  const listing = await listExperimentRefs(repo);
  const ids = options.ids ?? listing.refs.map((r) => r.id);
  // A wildcard is one negotiation for everything, but would also carry a corrupt ref.
  const wildcard = options.ids === undefined && listing.corrupt.length === 0;
  const summary: PushSummary = { remote: remote.target, sent: [], present: 0, refused: [], notes: "none", events: [] };
  let pending = wildcard ? null : ids;
  const attempts = options.attempts ?? 8;
  for (let attempt = 0; attempt < attempts && (pending === null || pending.length > 0); attempt++) {
    if (attempt > 0) await sleep(backoffMs(attempt));
    const status = await pushRefs(repo, remote, pending);
    const retry: string[] = [];
    for (const [ref, s] of status) {
      if (!ref.startsWith(EXPERIMENT_REFS)) continue;
      const id = ref.slice(EXPERIMENT_REFS.length);
      if (s.flag === "=") summary.present++;
      else if (s.flag === "!" && RACE.test(s.summary) && attempt < attempts - 1) retry.push(id);
      else if (s.flag === "!") summary.refused.push({ id, reason: s.summary.replace(/^\[[a-z ]+\]\s*/, "").replace(/^\((.*)\)$/, "$1") });
      else summary.sent.push(id);
    }
    pending = retry;
  }
  const policy = options.policy ?? { ...DEFAULT_POLICY, nowMs: Date.now() };
  summary.notes = await pushNotes(repo, remote, policy, summary.events);
  return summary;
}

async function pushRefs(repo: Repository, remote: Remote, ids: string[] | null): Promise<Map<string, PushStatus>> {
  const batches = ids === null ? [[ALL]] : chunks(ids.map((id) => `${EXPERIMENT_REFS}${id}:${EXPERIMENT_REFS}${id}`), CHUNK);
  const all = new Map<string, PushStatus>();
  for (const refspecs of batches) {
    const { result, status } = await gitPush(repo, remote.target, refspecs);
    // No per-ref status at all means git never got to talk refs: unreachable, not a repository, denied.
    if (status.size === 0 && result.code !== 0) throw transportError("push to", remote, result.stderr);
    for (const [k, v] of status) all.set(k, v);
  }
  return all;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

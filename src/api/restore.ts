import { CorruptDataError, NotFoundError } from "../core/errors.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { createRef, type RefListing } from "../store/refs.js";
import { runGit, GitCommandError } from "../store/git.js";
import { INCOMING_REFS } from "../store/remote.js";
import { verifyExperiments } from "../store/verify.js";
import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";

/**
 * `git exp restore`: bring back deleted experiments: deleted here with rm, or by another
 * clone (an experiment a pull left in quarantine because it arrived deleted gets its ref
 * back first, checked as pull checks it).
 */
export async function restore(ws: Workspace, experiments: string[]): Promise<AnnotateResult[]> {
  await promoteDeletedArrivals(await ws.store(), experiments);
  return annotate(ws, { experiments, changes: [{ op: "restore" }], includeDeleted: true });
}

/**
 * Before `git exp restore` writes its restore events: an experiment that arrived through
 * `pull` already deleted (or was purged here) has no ref, only its copy in quarantine.
 * Such experiments are found there by id prefix or name, checked again as pull checks
 * them, and given their ref, every one before any is written. Returns the ids promoted.
 */
export async function promoteDeletedArrivals(store: ExperimentStore, specs: string[]): Promise<string[]> {
  const listing = await store.list();
  let quarantine: RefListing | undefined;
  const wanted: string[] = [];
  for (const spec of specs) {
    try {
      await store.resolve(spec, { includeDeleted: true });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      quarantine ??= await quarantined(store, new Set(listing.refs.map((r) => r.id)));
      if (quarantine.refs.length === 0) throw e;
      try {
        wanted.push(await store.resolveIn(spec, quarantine, { includeDeleted: true }));
      } catch {
        throw e;
      }
    }
  }
  const ids = [...new Set(wanted)];
  if (ids.length === 0) return [];
  const problems = await verifyExperiments(store.repo.cwd, store.repo.algo, ids);
  for (const [id, reason] of problems) {
    throw new CorruptDataError(`cannot restore ${id.slice(0, 12)} from quarantine: ${reason}`);
  }
  for (const id of ids) await createRef(store.repo, id);
  return ids;
}

/** Experiments mirrored from remotes (refs/exp-incoming/<remote>/experiments/<id>) that have no ref here. */
async function quarantined(store: ExperimentStore, local: Set<string>): Promise<RefListing> {
  const args = ["for-each-ref", "--format=%(objectname) %(refname)", INCOMING_REFS];
  const r = await runGit(args, { cwd: store.repo.cwd });
  if (r.code !== 0) throw new GitCommandError(args, r);
  const listing: RefListing = { refs: [], corrupt: [] };
  const seen = new Set<string>();
  for (const line of r.stdout.toString("utf8").split("\n")) {
    const m = /^([0-9a-f]+) (refs\/exp-incoming\/.+\/experiments\/([0-9a-f]+))$/.exec(line);
    // A forged name (not its own target) is never followed, as pull never follows one.
    if (!m || m[1] !== m[3] || local.has(m[1]!) || seen.has(m[1]!)) continue;
    seen.add(m[1]!);
    listing.refs.push({ id: m[1]!, ref: m[2]! });
  }
  return listing;
}

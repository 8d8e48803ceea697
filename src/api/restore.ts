import { CorruptDataError, NotFoundError } from "../core/errors.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { createRef, refTargets, type RefListing } from "../store/refs.js";
import { INCOMING_REFS } from "../store/remote.js";
import { verifyExperiments } from "../store/verify.js";
import { annotate, type AnnotateResult } from "./annotate.js";
import type { Workspace } from "./workspace.js";
import { shortId } from "../core/ids.js";

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
async function promoteDeletedArrivals(store: ExperimentStore, specs: string[]): Promise<string[]> {
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
  const problems = await verifyExperiments(store.repo, ids);
  for (const [id, reason] of problems) {
    throw new CorruptDataError(`cannot restore ${shortId(id)} from quarantine: ${reason}`);
  }
  for (const id of ids) await createRef(store.repo, id);
  return ids;
}

/** Experiments mirrored from remotes (refs/exp-incoming/<remote>/experiments/<id>) that have no ref here. */
async function quarantined(store: ExperimentStore, local: Set<string>): Promise<RefListing> {
  const listing: RefListing = { refs: [], corrupt: [] };
  const seen = new Set<string>();
  for (const { ref, target } of await refTargets(store.repo, INCOMING_REFS)) {
    const m = /^refs\/exp-incoming\/.+\/experiments\/([0-9a-f]+)$/.exec(ref);
    // A forged name (not its own target) is never followed, as pull never follows one.
    if (!m || target !== m[1] || local.has(target) || seen.has(target)) continue;
    seen.add(target);
    listing.refs.push({ id: target, ref });
  }
  return listing;
}

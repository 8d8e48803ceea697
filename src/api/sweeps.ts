import { listStudies, studyTrials, type IndexedTrial, type StudyRow } from "../analysis/study-trials.js";
import type { SweepSpec } from "../core/sweep-spec.js";
import type { Workspace } from "./workspace.js";

export type { IndexedTrial, StudyRow };
/** The step every executor calls: the study's next trial from its trials so far (pure). */
export { nextTrial, studySize, type NextTrial, type StudyTrial } from "../analysis/study.js";

/** `git exp sweeps`: the studies in the repository, with trials done and the best so far. */
export function sweeps(ws: Workspace): Promise<StudyRow[]> {
  return ws.query((db) => listStudies(db));
}

/**
 * A study's trials now in the index, for its sampler, but those in `known` (read before).
 * The index is opened, read and let go (a sweep runs for hours; other commands update the
 * index meanwhile).
 */
export async function trialsOf(ws: Workspace, spec: SweepSpec, studyId: string, known?: ReadonlySet<string>): Promise<IndexedTrial[]> {
  const index = await ws.index();
  try {
    return await studyTrials(await index.open(), spec, studyId, undefined, known);
  } finally {
    index.close();
  }
}

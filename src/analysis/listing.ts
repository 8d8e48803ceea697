import { flattenMetrics, type Experiment } from "../core/experiment.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { annotationState } from "../store/annotations.js";
import type { AnnotationState } from "../core/annotations.js";
import { shortId } from "../core/ids.js";

export interface ExperimentSummary {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  tags: string[];
  metrics: Record<string, number | null>;
}

export interface Listing {
  experiments: ExperimentSummary[];
  /** Experiments that could not be read, and refs that break the format. */
  problems: string[];
}

export function summarize(id: string, exp: Experiment): ExperimentSummary {
  return {
    id,
    name: exp.meta.name ?? null,
    status: exp.meta.status,
    created_at: exp.meta.created_at,
    tags: exp.meta.tags ?? [],
    metrics: Object.fromEntries(flattenMetrics(exp.results)),
  };
}

/** Every experiment, newest first, read straight from git. */
export async function listExperiments(store: ExperimentStore): Promise<Listing> {
  const { refs, corrupt } = await store.list();
  const out: Listing = { experiments: [], problems: corrupt.map((c) => `${c.ref} points to ${c.target}: corrupt ref, ignored`) };
  await store.readMany(
    refs.map((r) => r.id),
    (id, r) => {
      if (r instanceof Error) out.problems.push(`${shortId(id)}: ${r.message}`);
      else out.experiments.push(summarize(id, r));
    },
  );
  out.experiments.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1));
  return out;
}

/** Everything `show` prints about one experiment. */
export interface ExperimentDetails {
  id: string;
  configHash: string;
  parents: string[];
  experiment: Experiment;
  /** Current name, tags, notes and deleted flag: the stored ones changed by later events. */
  annotations: AnnotationState;
}

export async function showExperiment(
  store: ExperimentStore,
  spec: string,
  options: { includeDeleted?: boolean } = {},
): Promise<ExperimentDetails> {
  const id = await store.resolve(spec, options);
  const [experiment, parents] = await Promise.all([store.read(id), store.commitParents(id)]);
  const configHash = await store.configHash(id);
  const annotations = await annotationState(store, id, experiment.meta);
  return { id, configHash, parents, experiment, annotations };
}

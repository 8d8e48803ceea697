import { UsageError } from "../core/errors.js";
import { flattenMetrics, flattenParams, type Experiment } from "../core/experiment.js";
import { canonicalJson, type JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Better } from "../core/choices.js";
import { metricDirection, type DirectionHints } from "./metric-direction.js";
import type { CompareRow, Comparison } from "../core/compare-results.js";

export interface CompareOptions extends DirectionHints {
  /** Keep rows where every experiment has the same value. */
  all?: boolean;
}

function key(v: JsonValue | undefined): string {
  return v === undefined ? "\u0000" : canonicalJson(v, { nonFinite: "encode" });
}

function bestColumns(values: (JsonValue | undefined)[], direction: Better): number[] {
  const nums = values.map((v) => (typeof v === "number" && !Number.isNaN(v) ? v : undefined));
  const present = nums.filter((v): v is number => v !== undefined);
  if (present.length < 2) return [];
  const best = direction === "higher" ? Math.max(...present) : Math.min(...present);
  return nums.flatMap((v, i) => (v === best ? [i] : []));
}

function rowsOf(kind: CompareRow["kind"], maps: Map<string, JsonValue>[], hints: DirectionHints): CompareRow[] {
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((k) => {
    const values = maps.map((m) => m.get(k));
    const differs = new Set(values.map(key)).size > 1;
    if (kind === "param") return { kind, key: k, values, differs, best: [] };
    const direction = metricDirection(k, hints);
    return { kind, key: k, values, differs, direction, best: differs ? bestColumns(values, direction) : [] };
  });
}

/** Experiments side by side: params then metrics as rows, one column each. */
function compareExperiments(exps: { id: string; experiment: Experiment }[], options: CompareOptions = {}): Comparison {
  const params = exps.map((e) => new Map(flattenParams(e.experiment.config)));
  const metrics = exps.map((e) => new Map<string, JsonValue>(flattenMetrics(e.experiment.results)));
  const rows = [...rowsOf("param", params, options), ...rowsOf("metric", metrics, options)];
  const shown = options.all || exps.length < 2 ? rows : rows.filter((r) => r.differs);
  return {
    columns: exps.map((e) => ({ id: e.id, name: e.experiment.meta.name ?? null, created_at: e.experiment.meta.created_at })),
    rows: shown,
    hidden: rows.length - shown.length,
  };
}

/**
 * Read experiments by full id (from `resolve`, or a filter's result) and compare them in
 * the order given; the same experiment twice is compared once.
 */
export async function compareIds(store: ExperimentStore, ids: string[], options: CompareOptions = {}): Promise<Comparison> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new UsageError("give at least one experiment to compare");
  const exps: { id: string; experiment: Experiment }[] = [];
  let failure: Error | undefined;
  await store.readMany(unique, (id, r) => {
    if (r instanceof Error) failure ??= r;
    else exps.push({ id, experiment: r });
  });
  if (failure) throw failure;
  return compareExperiments(exps, options);
}

/** Resolve names, prefixes or refs, then compare. */
export async function compareSpecs(store: ExperimentStore, specs: string[], options: CompareOptions = {}): Promise<Comparison> {
  return compareIds(store, await store.resolveAll(specs), options);
}

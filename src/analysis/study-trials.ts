import type { JsonValue } from "../core/json.js";
import type { SweepSpec } from "../core/sweep-spec.js";
import type { IndexDatabase } from "../index/database.js";
import { studyBest, studyRows, trialCurves, trialParams, trialRows } from "../index/queries.js";
import type { TrialCurve } from "./pruning.js";
import { buildConfig } from "./search-space.js";
import type { StudyTrial, TrialState } from "./study.js";

/** A trial as the index holds it: the study's view of it, plus what early termination compares. */
export interface IndexedTrial extends StudyTrial {
  id: string;
  created_at: string;
  /** The sweep metric's series, for the pruners' comparison with trials still running. */
  curve: TrialCurve;
}

/**
 * The trials of a study in the index, whoever ran them: the sampler's history. Their configs
 * are rebuilt from the params table at the sweep's own parameters' key paths. `known`: ids the
 * caller has already, left out, so a sweep that reads again before each suggestion pays only
 * for the trials recorded since (one small query when there are none).
 */
export async function studyTrials(
  db: IndexDatabase,
  spec: SweepSpec,
  sweepId: string,
  withSeries = spec.earlyTerminate !== undefined,
  known: ReadonlySet<string> = new Set(),
): Promise<IndexedTrial[]> {
  const metric = spec.metric?.name ?? "";
  const all = await trialRows(db, sweepId, metric);
  const rows = known.size > 0 ? all.filter((r) => !known.has(r.id)) : all;
  if (rows.length === 0) return [];
  // all of the study's trials, or just the new ones
  const only = rows.length < all.length ? rows.map((r) => r.id) : undefined;
  const byId = await trialParams(db, sweepId, spec.params.map((p) => p.key), only);
  // The finished trials' curves matter only to early termination, which compares with them.
  const curves = metric && withSeries ? await trialCurves(db, sweepId, metric, only) : new Map<string, { step: number[]; value: number[] }>();
  return rows.map((r) => {
    const values = byId.get(r.id) ?? new Map<string, JsonValue>();
    const state = trialState(r.status, r.pruned);
    const curve = curves.get(r.id) ?? { step: [], value: [] };
    return {
      id: r.id,
      index: r.index,
      state,
      created_at: r.created_at,
      config: buildConfig(spec.params.filter((p) => values.has(p.key)).map((p) => [p.path, values.get(p.key)!])),
      value: r.value,
      curve: { id: r.id, state: state === "completed" ? "completed" : "stopped", ...curve },
    };
  });
}

/** An experiment's status as a trial: a pruned one counts (bad); one a person interrupted gives its index back. */
function trialState(status: string, pruned: boolean): TrialState {
  if (pruned) return "pruned";
  return status === "completed" ? "completed" : status === "failed" ? "failed" : "interrupted";
}

/** One study as `git exp sweeps` lists it. */
export interface StudyRow {
  id: string;
  method: string | null;
  /** Trials recorded: completed, pruned, failed and interrupted together. */
  trials: number;
  /** How many trials the study has, run or not (the largest its trials recorded); null when they recorded none. */
  size: number | null;
  completed: number;
  pruned: number;
  failed: number;
  /** Trials cut short (Ctrl-C, a cancel), not by early termination: a sweep run again runs their indexes again. */
  interrupted: number;
  first: string;
  last: string;
  /** The command, as the first trial recorded it. */
  command: string | null;
  metric: string | null;
  goal: string | null;
  /** The best completed trial by the study's metric. */
  best: { id: string; index: number; value: number; config: Record<string, JsonValue> } | null;
}

/** Every study in the index, newest activity first, with its best trial and that trial's params. */
export async function listStudies(db: IndexDatabase): Promise<StudyRow[]> {
  const rows = await studyRows(db);
  const bestIds = rows.map((r) => (r["goal"] === "maximize" ? r["hi_id"] : r["lo_id"])).filter((x): x is string => typeof x === "string");
  const best = await studyBest(db, bestIds);
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return rows.map((r) => {
    const bestId = text(r["goal"] === "maximize" ? r["hi_id"] : r["lo_id"]);
    const b = bestId ? best.get(bestId) : undefined;
    return {
      id: String(r["id"]),
      method: text(r["method"]),
      metric: text(r["metric"]),
      goal: text(r["goal"]),
      trials: Number(r["trials"]),
      size: r["size"] === null || r["size"] === undefined ? null : Number(r["size"]),
      completed: Number(r["completed"]),
      pruned: Number(r["pruned"]),
      failed: Number(r["failed"]),
      interrupted: Number(r["interrupted"]),
      first: String(r["first"]),
      last: String(r["last"]),
      command: text(r["command"]),
      best: bestId && b ? { id: bestId, ...b } : null,
    };
  });
}

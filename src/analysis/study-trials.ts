import { listValue } from "../index/duckdb.js";
import { parseJson, type JsonValue } from "../core/json.js";
import type { SweepSpec } from "../core/sweep-spec.js";
import type { IndexDatabase, SqlRow } from "../index/database.js";
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
  const all = await db.rows(
    `SELECT id, sweep_index, status, pruned_rule, strftime(created_at, '%Y-%m-%dT%H:%M:%S.%g') AS created,
       (SELECT value FROM metrics m WHERE m.id = e.id AND m.key = $2) AS value
     FROM experiments e WHERE sweep_id = $1 AND sweep_index IS NOT NULL ORDER BY sweep_index, created_at`,
    [sweepId, metric],
  );
  const rows = known.size > 0 ? all.filter((r) => !known.has(String(r["id"]))) : all;
  if (rows.length === 0) return [];
  // all of the study's trials, or just the new ones
  const partial = rows.length < all.length;
  const ids = `SELECT id FROM experiments WHERE sweep_id = $1${partial ? " AND list_contains($3::VARCHAR[], id)" : ""}`;
  const idList = partial ? [listValue(rows.map((r) => String(r["id"])))] : [];
  const keys = spec.params.map((p) => p.key);
  const params = await db.rows(
    `SELECT id, key, value, num, type FROM params WHERE key IN (SELECT unnest($2::VARCHAR[])) AND id IN (${ids})`,
    [sweepId, listValue(keys), ...idList],
  );
  // The finished trials' curves matter only to early termination, which compares with them.
  const series =
    metric && withSeries
      ? await db.rows(
          `SELECT s.id, list(s.step ORDER BY s.step) AS steps, list(s.value ORDER BY s.step) AS vals
           FROM series s WHERE s.key = $2 AND s.id IN (${ids}) GROUP BY s.id`,
          [sweepId, metric, ...idList],
        )
      : [];
  const byId = new Map<string, Map<string, JsonValue>>();
  for (const p of params) {
    const id = String(p["id"]);
    if (!byId.has(id)) byId.set(id, new Map());
    byId.get(id)!.set(String(p["key"]), paramValue(p));
  }
  const curves = new Map<string, { step: number[]; value: number[] }>();
  for (const c of series) {
    const steps = c["steps"] as unknown as number[];
    const vals = c["vals"] as unknown as (number | null)[];
    curves.set(String(c["id"]), { step: steps.map(Number), value: vals.map((v) => (v === null ? NaN : Number(v))) });
  }
  return rows.map((r) => {
    const id = String(r["id"]);
    const values = byId.get(id) ?? new Map<string, JsonValue>();
    const state = trialState(String(r["status"]), r["pruned_rule"] !== null);
    const curve = curves.get(id) ?? { step: [], value: [] };
    return {
      id,
      index: Number(r["sweep_index"]),
      state,
      created_at: `${String(r["created"])}Z`,
      config: buildConfig(spec.params.filter((p) => values.has(p.key)).map((p) => [p.path, values.get(p.key)!])),
      value: r["value"] === null || r["value"] === undefined ? null : Number(r["value"]),
      curve: { id, state: state === "completed" ? "completed" : "stopped", ...curve },
    };
  });
}

/** An experiment's status as a trial: a pruned one counts (bad); one a person interrupted gives its index back. */
function trialState(status: string, pruned: boolean): TrialState {
  if (pruned) return "pruned";
  return status === "completed" ? "completed" : status === "failed" ? "failed" : "interrupted";
}

/** A param back as the value the config held (the index keeps text, a number and the type). */
function paramValue(p: SqlRow): JsonValue {
  const text = p["value"] === null ? null : String(p["value"]);
  switch (p["type"]) {
    case "string":
      return text;
    case "null":
      return null;
    case "number":
      return text !== null && /^-?\d{16,}$/.test(text) ? parseJson(text) : Number(p["num"]);
    default:
      return text === null ? null : parseJson(text);
  }
}

/** One study as `git exp sweeps` lists it. */
export interface StudyRow {
  id: string;
  method: string | null;
  trials: number;
  completed: number;
  pruned: number;
  failed: number;
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
  const rows = await db.rows(
    `WITH t AS (
       SELECT e.*, (SELECT m.value FROM metrics m WHERE m.id = e.id AND m.key = e.sweep_metric) AS objective
       FROM experiments e WHERE sweep_id IS NOT NULL)
     SELECT sweep_id AS id, any_value(sweep_method) AS method, any_value(sweep_metric) AS metric, any_value(sweep_goal) AS goal,
       count(*) AS trials,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE pruned_rule IS NOT NULL) AS pruned,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       strftime(min(created_at), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(created_at), '%Y-%m-%dT%H:%M:%SZ') AS last,
       arg_min(command, created_at) AS command,
       arg_min(id, objective) FILTER (WHERE status = 'completed' AND objective IS NOT NULL AND NOT isnan(objective)) AS lo_id,
       arg_max(id, objective) FILTER (WHERE status = 'completed' AND objective IS NOT NULL AND NOT isnan(objective)) AS hi_id
     FROM t GROUP BY sweep_id ORDER BY max(created_at) DESC, sweep_id`,
  );
  const bestIds = rows.map((r) => (r["goal"] === "maximize" ? r["hi_id"] : r["lo_id"])).filter((x): x is string => typeof x === "string");
  const best = new Map<string, { index: number; value: number; config: Record<string, JsonValue> }>();
  if (bestIds.length) {
    const info = await db.rows(
      `SELECT e.id, e.sweep_index, (SELECT m.value FROM metrics m WHERE m.id = e.id AND m.key = e.sweep_metric) AS value FROM experiments e WHERE e.id IN (SELECT unnest($1::VARCHAR[]))`,
      [listValue(bestIds)],
    );
    for (const r of info) best.set(String(r["id"]), { index: Number(r["sweep_index"]), value: Number(r["value"]), config: {} });
    for (const p of await db.rows(`SELECT id, key, value, num, type FROM params WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key`, [listValue(bestIds)])) {
      best.get(String(p["id"]))!.config[String(p["key"])] = paramValue(p);
    }
  }
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
      completed: Number(r["completed"]),
      pruned: Number(r["pruned"]),
      failed: Number(r["failed"]),
      first: String(r["first"]),
      last: String(r["last"]),
      command: text(r["command"]),
      best: bestId && b ? { id: bestId, ...b } : null,
    };
  });
}

import { NotFoundError } from "../core/errors.js";
import { nearest } from "../core/filter.js";
import type { JsonValue } from "../core/json.js";
import type { ExperimentSource } from "../store/experiment-source.js";
import { firstParentHistory } from "../store/history.js";
import type { Entry } from "../core/catalog-entry.js";
import type { Better } from "../core/choices.js";
import { isSystemSeries } from "../core/experiment.js";
import { metricCurves } from "./curves.js";
import { mediaOf, systemSeries } from "./run-details.js";
import type { Overview } from "../core/overview-results.js";
import { metricDirection } from "./metric-direction.js";

export interface OverviewOptions {
  metric?: string;
  /** Which way is better; guessed from the metric's name when not given. */
  better?: Better;
  limit?: number;
  /** Branch whose first-parent history gives the trend. */
  branch?: string;
}

/**
 * The metric to rank by when none is named: a validation metric (val*, valid*, test*: what
 * a model is judged on, where a training metric rewards overfitting) when at least half as
 * many experiments have one as have the most common metric; else the most common. Ties
 * prefer one that sounds like a score.
 */
function defaultMetric(entries: Entry[]): { metric: string; chosen: "validation" | "most common" } | undefined {
  const counts = new Map<string, number>();
  for (const e of entries) for (const k of Object.keys(e.metrics)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || score(b[0]) - score(a[0]) || (a[0] < b[0] ? -1 : 1));
  const most = ranked[0]?.[1] ?? 0;
  const validation = ranked.find(([k, n]) => isValidationMetric(k) && 2 * n >= most);
  if (validation) return { metric: validation[0], chosen: "validation" };
  return ranked[0] ? { metric: ranked[0][0], chosen: "most common" } : undefined;
}

/** val.acc, val_loss, valid/f1, validation.loss, test.acc; not value or testing_time. */
function isValidationMetric(name: string): boolean {
  return /^(val|valid|validation|test)(?![a-z])/i.test(name);
}

function score(k: string): number {
  return /acc|f1|auc|score|map|bleu|rouge/i.test(k) ? 1 : 0;
}

function paramText(v: JsonValue | undefined): string {
  return v === undefined ? "" : JSON.stringify(typeof v === "bigint" ? v.toString() : v);
}

function varyingParams(entries: Entry[]): string[] {
  const keys = new Set(entries.flatMap((e) => Object.keys(e.params)));
  return [...keys].filter((k) => new Set(entries.map((e) => paramText(e.params[k]))).size > 1).sort();
}

function unknownMetric(metric: string, entries: Entry[]): NotFoundError {
  const known = new Set(entries.flatMap((e) => Object.keys(e.metrics)));
  const near = nearest(metric, known);
  const hint = near.length > 0 ? `did you mean ${near.join(", ")}?` : `the metrics here: ${[...known].sort().slice(0, 8).join(", ")}`;
  return new NotFoundError(`no experiment has a value for the metric '${metric}'; ${hint}`);
}

/** Leaderboard, the params that vary, the top runs' curves and the trend along a branch. */
export async function overview(store: ExperimentSource, entries: Entry[], options: OverviewOptions): Promise<Overview> {
  const picked = options.metric === undefined ? defaultMetric(entries) : undefined;
  const metric = options.metric ?? picked?.metric;
  if (!metric) throw new NotFoundError("no experiment has any metric yet: run one with 'git exp run -- python train.py', or record one with 'git exp record'");
  const better = options.better ?? metricDirection(metric);
  const has = entries.filter((e) => typeof e.metrics[metric] === "number" && !Number.isNaN(e.metrics[metric]));
  if (has.length === 0) throw unknownMetric(metric, entries);
  const sign = better === "higher" ? -1 : 1;
  // As `top` ranks: best value first (infinities compared, never subtracted), ties to the earlier run, then the id.
  const order = (x: number, y: number): number => (x === y ? 0 : x < y ? -1 : 1);
  const ranked = [...has].sort(
    (a, b) => sign * order(a.metrics[metric]!, b.metrics[metric]!) || order(Date.parse(a.createdAt), Date.parse(b.createdAt)) || (a.id < b.id ? -1 : 1),
  );
  const leaderboard = ranked.slice(0, options.limit ?? 20);
  const top = leaderboard.slice(0, 5).map((e) => e.id);
  const curveMetric = await pickCurveMetric(store, top, metric);
  const curves = curveMetric ? (await metricCurves(store, top, { metric: curveMetric, x: "step" })).series : [];
  return {
    metric,
    ...(picked ? { chosen: picked.chosen } : {}),
    better,
    total: entries.length,
    leaderboard,
    varying: varyingParams(has),
    curves,
    curveMetric,
    trend: await trend(store, has, metric, better, options.branch),
    best: await bestRun(store, leaderboard[0]?.id),
  };
}

async function bestRun(store: ExperimentSource, id: string | undefined): Promise<Overview["best"]> {
  if (id === undefined) return null;
  const exp = await store.read(id);
  const media = mediaOf(exp).map(({ key, items }) => {
    const last = items[items.length - 1]!;
    return { key, step: last.step, type: last.type, data: exp.files[last.path]! };
  });
  return { id, name: exp.meta.name ?? null, system: systemSeries(exp), media };
}

async function pickCurveMetric(store: ExperimentSource, ids: string[], metric: string): Promise<string | null> {
  if (ids.length === 0) return null;
  let names: string[] = [];
  await store.readMany(ids.slice(0, 1), (_id, exp) => {
    if (!(exp instanceof Error)) names = Object.keys(exp.series);
  });
  if (names.includes(metric)) return metric;
  const training = names.filter((n) => !isSystemSeries(n));
  return training.find((n) => /loss/i.test(n)) ?? training[0] ?? null;
}

async function trend(store: ExperimentSource, entries: Entry[], metric: string, better: Better, branch?: string): Promise<Overview["trend"]> {
  const candidates = branch ? [branch] : ["main", "master", "HEAD"];
  let ref: string | undefined;
  for (const c of candidates) if (await store.history.resolveCommit(c)) { ref = c; break; }
  if (!ref) return { branch: branch ?? "HEAD", points: [] };
  const history = await firstParentHistory(store.history, ref, 1000);
  const byCommit = new Map<string, Entry[]>();
  for (const e of entries) if (e.sourceCommit) byCommit.set(e.sourceCommit, [...(byCommit.get(e.sourceCommit) ?? []), e]);
  const points: Overview["trend"]["points"] = [];
  for (const commit of history.reverse()) {
    const runs = byCommit.get(commit);
    if (!runs) continue;
    const best = runs.reduce((a, b) => ((better === "higher" ? b.metrics[metric]! > a.metrics[metric]! : b.metrics[metric]! < a.metrics[metric]!) ? b : a));
    points.push({ commit, value: best.metrics[metric]!, id: best.id });
  }
  return { branch: ref, points };
}

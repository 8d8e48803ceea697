import { metricCurves } from "../analysis/curves.js";
import { runDetails, type RunDetails } from "../analysis/run-details.js";
import { runMatrix, type MatrixOptions, type RunMatrix } from "../analysis/run-matrix.js";
import { indexKeys, runSeries, runsPage, type IndexKeys, type RunSeries, type RunsPage, type RunsQuery } from "../analysis/runs-page.js";
import { LiveMetrics, listLive } from "../capture/live.js";
import type { LiveProgress, LiveRun } from "../core/live-results.js";
import { repeatKeysOf } from "../capture/rules-file.js";
import { NotFoundError, UsageError } from "../core/errors.js";
import { isFullId, shortId } from "../core/ids.js";
import { MEDIA_TYPES, parseMediaPath } from "../core/media.js";
import type { Workspace } from "./workspace.js";

export type { IndexKeys, LiveProgress, LiveRun, MatrixOptions, RunDetails, RunMatrix, RunSeries, RunsPage, RunsQuery };

/**
 * The dashboard's own questions (the runs table, the keys, curves, one run's page, media,
 * live runs); its leaderboard, trend, compare and diff are the commands' api functions.
 */

/** One page of the runs table: filter, sort, columns, offset. */
export function runs(ws: Workspace, q: RunsQuery): Promise<RunsPage> {
  return ws.query((db) => runsPage(db, q));
}

/** The params and metrics the index knows, for pickers. */
export function keys(ws: Workspace): Promise<IndexKeys> {
  return ws.query((db) => indexKeys(db));
}

/** Ids as everywhere else: full, a prefix of 4+ hex digits, or a name. */
async function resolveAll(ws: Workspace, specs: string[]): Promise<string[]> {
  if (specs.length === 0) return [];
  return (await ws.store()).resolveAll(specs);
}

/** Metric series of the given runs, from the index. */
export async function series(ws: Workspace, ids: string[], metric?: string): Promise<RunSeries> {
  const full = await resolveAll(ws, ids);
  return ws.query((db) => runSeries(db, full, metric));
}

export interface Bands {
  metric: string;
  series: { label: string; points: [number, number | null][]; band: [number, number, number][] }[];
}

/** Selected runs' curves of a metric, one mean curve and band per group of repeats: as plot --group config draws them. */
export async function bands(ws: Workspace, ids: string[], metric: string, band: "std" | "minmax"): Promise<Bands> {
  if (!metric) throw new UsageError("give the metric: /api/bands?ids=...&metric=loss");
  const full = await resolveAll(ws, ids);
  const store = await ws.store();
  // repeats as stats, check and top --by config group them: gitexp.json's repeat_keys
  const c = await metricCurves(store, full, { metric, x: "step", group: "config", band, repeatKeys: await repeatKeysOf(store.repo) });
  return {
    metric,
    series: c.series.map((s) => ({ label: s.label, points: s.points.map((p) => [p.x, p.y] as [number, number | null]), band: (s.band ?? []).map((b) => [b.x, b.lo, b.hi] as [number, number, number]) })),
  };
}

/** One run's page: params, metrics, system metrics over time, its media by key. */
export async function run(ws: Workspace, id: string): Promise<RunDetails> {
  if (!id) throw new UsageError("give the run: /api/run?id=ID");
  return runDetails(await ws.store(), id);
}

/** A column of values per key for every run the filter keeps: parallel coordinates, scatter. */
export function matrix(ws: Workspace, where: string, keys: string[], options: MatrixOptions = {}): Promise<RunMatrix> {
  return ws.query((db) => runMatrix(db, where, keys, options));
}

/** One media file of a run, with its content type. Only media paths are served: never another file of the experiment (its patch, its log). */
export async function media(ws: Workspace, spec: string, path: string): Promise<{ type: string; data: Uint8Array }> {
  const m = parseMediaPath(path);
  if (!m) throw new UsageError(`${path} is no media file (media/<key>/<step>.<ext>)`);
  const store = await ws.store();
  // The page asks by full id, image after image: no listing of every ref for each.
  const id = isFullId(spec) ? spec : await store.resolve(spec);
  const data = await store.readFile(id, path);
  if (!data) throw new NotFoundError(`experiment ${shortId(id)} has no ${path}`);
  return { type: MEDIA_TYPES[m.ext]!, data };
}

export interface LiveRunView extends LiveRun {
  step: number | null;
  latest: LiveProgress["latest"];
  series: LiveProgress["series"];
}

/** Runs in progress (and just ended) with their step, latest metrics and series; `metrics` keeps the files' read positions between calls. */
export async function live(ws: Workspace, metrics: LiveMetrics): Promise<LiveRunView[]> {
  const found = await listLive(await ws.repo(), { ended: true });
  const progress = await metrics.progress(found);
  return found.map((r) => {
    const p = progress.get(r.key);
    return { ...r, step: p?.step ?? null, latest: p?.latest ?? {}, series: p?.series ?? {} };
  });
}

/** Which runs are live and how far their metrics files have grown: a few stat calls. */
export async function liveSignature(ws: Workspace): Promise<string> {
  const { stat } = await import("node:fs/promises");
  const found = await listLive(await ws.repo(), { ended: true });
  const parts = await Promise.all(
    found.map(async (r) => `${r.key}:${r.ended_at ?? ""}:${r.ended_at ? "" : ((await stat(r.metrics_file).catch(() => undefined))?.size ?? "-")}`),
  );
  return parts.join(",");
}

export { LiveMetrics };

import { stat } from "node:fs/promises";
import { compareSpecs } from "../../analysis/compare.js";
import { metricCurves } from "../../analysis/curves.js";
import { diffSpecs } from "../../analysis/diff.js";
import { leaderboard, type Direction, type Grouping } from "../../analysis/leaderboard.js";
import { indexKeys, runSeries, runsPage } from "../../analysis/runs-page.js";
import { runDetails, type RunDetails } from "../../analysis/run-details.js";
import { runMatrix, type RunMatrix } from "../../analysis/run-matrix.js";
import { MEDIA_TYPES, parseMediaPath } from "../../core/media.js";
import { trendAlong, trendOverTime } from "../../analysis/trend.js";
import { LiveMetrics, listLive } from "../../capture/live.js";
import { repeatKeysOf } from "../../capture/rules-file.js";
import { NotFoundError, UsageError } from "../../core/errors.js";
import type { IndexSession } from "../../index/session.js";
import { columnLabels } from "../../report/compare.js";
import { renderDiff, valueText } from "../../report/diff.js";
import { leaderboardTable, trendTable } from "../../report/experiments.js";
import type { ExperimentStore } from "../../store/experiment-store.js";
import { branchHistory } from "../../store/history.js";
import type { DashboardData, LiveView, TableView, TrendView } from "./server.js";

const GROUPS: readonly string[] = ["config", "name", "branch", "commit"];

/**
 * The dashboard's questions answered from the index (runs, keys, series, top, trend) and,
 * for the few runs a user selected, from the experiments themselves (compare, diff).
 */
export class IndexDashboardData implements DashboardData {
  private readonly liveMetrics = new LiveMetrics();

  constructor(
    private readonly session: IndexSession,
    private readonly store: ExperimentStore,
  ) {}

  runs(q: Parameters<DashboardData["runs"]>[0]): ReturnType<DashboardData["runs"]> {
    return this.session.use((db) => runsPage(db, q));
  }

  keys(): ReturnType<DashboardData["keys"]> {
    return this.session.use((db) => indexKeys(db));
  }

  /** Ids as everywhere else: full, a prefix of 4+ hex digits, or a name; an unknown one is a 404. */
  async series(ids: string[], metric?: string): ReturnType<DashboardData["series"]> {
    const full = await this.store.resolveAll(ids);
    return this.session.use((db) => runSeries(db, full, metric));
  }

  async compare(ids: string[]): Promise<TableView> {
    if (ids.length < 2) throw new UsageError("select two or more runs to compare");
    const c = await compareSpecs(this.store, ids, {});
    const labels = columnLabels(c.columns);
    const rows = c.rows.map((r) => {
      const row: Record<string, string | null> = { kind: r.kind === "param" ? "param" : `metric (${r.direction === "lower" ? "min" : "max"})`, key: r.key };
      r.values.forEach((v, i) => (row[labels[i]!] = v === undefined ? null : valueText(v) + (r.best.includes(i) ? " ★" : "")));
      return row;
    });
    return { columns: ["kind", "key", ...labels], rows, note: c.rows.length === 0 ? "the runs have the same params and metrics" : undefined };
  }

  async diff(a: string, b: string): Promise<string> {
    if (!a || !b) throw new UsageError("select exactly two runs to diff");
    return renderDiff(await diffSpecs(this.store, a, b), { color: false, width: 110 });
  }

  top(metric: string, order: Direction | undefined, by: string): Promise<TableView> {
    if (by && !GROUPS.includes(by)) throw new UsageError(`group by one of ${GROUPS.join(", ")}`);
    return this.session.use(async (db) => {
      const board = await leaderboard(db, { metric, direction: order, by: (by || undefined) as Grouping | undefined, limit: 50 });
      const t = leaderboardTable(board, false);
      const ids = board.by ? board.groups.map((g) => g.best_id) : board.rows.map((r) => r.id);
      return { columns: t.columns, rows: t.rows.map((r, i) => ({ ...r, _id: ids[i] ?? null })), note: `${board.metric}: ${board.direction === "max" ? "higher" : "lower"} is better${board.guessed ? " (guessed from the name)" : ""}` };
    });
  }

  async trend(metric: string, along: string, order: Direction | undefined): Promise<TrendView> {
    const history = along ? await branchHistory(this.store.repo, along) : undefined;
    return this.session.use(async (db) => {
      const options = { metric, direction: order };
      const t = history ? await trendAlong(db, options, along, history) : await trendOverTime(db, options);
      const table = trendTable(t, false);
      return {
        metric: t.metric,
        along: t.along,
        direction: t.direction,
        columns: table.columns,
        rows: table.rows,
        points: t.points.map((p) => ({ label: p.commit ? p.commit.slice(0, 8) : p.at.slice(0, 10), best: p.best, mean: p.mean })),
      };
    });
  }

  /** As plot --group config draws them: the same function, over the selected runs. */
  async bands(ids: string[], metric: string, band: "std" | "minmax"): ReturnType<DashboardData["bands"]> {
    if (!metric) throw new UsageError("give the metric: /api/bands?ids=...&metric=loss");
    const full = await this.store.resolveAll(ids);
    const c = await metricCurves(this.store, full, { metric, x: "step", group: "config", band, repeatKeys: await repeatKeysOf(this.store.repo) });
    return {
      metric,
      series: c.series.map((s) => ({ label: s.label, points: s.points.map((p) => [p.x, p.y] as [number, number | null]), band: (s.band ?? []).map((b) => [b.x, b.lo, b.hi] as [number, number, number]) })),
    };
  }

  run(id: string): Promise<RunDetails> {
    if (!id) throw new UsageError("give the run: /api/run?id=ID");
    return runDetails(this.store, fullId(id) ?? id);
  }

  matrix(where: string, keys: string[]): Promise<RunMatrix> {
    return this.session.use((db) => runMatrix(db, where, keys));
  }

  /** Only media paths are served: never another file of the experiment (its patch, its log). */
  async media(spec: string, path: string): Promise<{ type: string; data: Uint8Array }> {
    const m = parseMediaPath(path);
    if (!m) throw new UsageError(`${path} is no media file (media/<key>/<step>.<ext>)`);
    // The page asks by full id, image after image: no listing of every ref for each.
    const id = fullId(spec) ?? (await this.store.resolve(spec));
    const data = await this.store.readFile(id, path);
    if (!data) throw new NotFoundError(`experiment ${id.slice(0, 12)} has no ${path}`);
    return { type: MEDIA_TYPES[m.ext]!, data };
  }

  async live(): Promise<LiveView> {
    const runs = await listLive(this.store.repo, { ended: true });
    const progress = await this.liveMetrics.progress(runs);
    return {
      runs: runs.map((r) => {
        const p = progress.get(r.key);
        return { ...r, step: p?.step ?? null, latest: p?.latest ?? {}, series: p?.series ?? {} };
      }),
    };
  }

  /** Which runs are live and how far their metrics files have grown: a few stat calls. */
  async liveSignature(): Promise<string> {
    const runs = await listLive(this.store.repo, { ended: true });
    const parts = await Promise.all(
      runs.map(async (r) => `${r.key}:${r.ended_at ?? ""}:${r.ended_at ? "" : ((await stat(r.metrics_file).catch(() => undefined))?.size ?? "-")}`),
    );
    return parts.join(",");
  }

  async fingerprint(): Promise<string> {
    return this.session.fingerprint();
  }

  async close(): Promise<void> {
    await this.liveMetrics.close();
    await this.session.close();
  }
}

function fullId(spec: string): string | undefined {
  return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(spec) ? spec : undefined;
}

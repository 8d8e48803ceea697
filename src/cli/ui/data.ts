import * as dashboard from "../../api/dashboard.js";
import { compare } from "../../api/compare.js";
import { diff } from "../../api/diff.js";
import { top } from "../../api/top.js";
import { trend } from "../../api/trend.js";
import type { Workspace } from "../../api/workspace.js";
import { betterOf, checkGrouping, directionOf, type Direction } from "../../core/choices.js";
import { UsageError } from "../../core/errors.js";
import { columnLabels } from "../../report/compare.js";
import { renderDiff, valueText } from "../../report/diff.js";
import { leaderboardTable, trendTable } from "../../report/experiments.js";
import type { DashboardData, LiveView, TableView, TrendView } from "./server.js";

/**
 * The dashboard's questions, each one api function (the same the commands call) on a
 * long-lived workspace, shaped into the views the page draws.
 */
export class IndexDashboardData implements DashboardData {
  private readonly liveMetrics = new dashboard.LiveMetrics();

  constructor(
    private readonly ws: Workspace,
    private readonly watch: { fingerprint: () => string },
  ) {}

  runs(q: Parameters<DashboardData["runs"]>[0]): ReturnType<DashboardData["runs"]> {
    return dashboard.runs(this.ws, q);
  }

  keys(): ReturnType<DashboardData["keys"]> {
    return dashboard.keys(this.ws);
  }

  /** An unknown id is a 404. */
  series(ids: string[], metric?: string): ReturnType<DashboardData["series"]> {
    return dashboard.series(this.ws, ids, metric);
  }

  async compare(ids: string[]): Promise<TableView> {
    if (ids.length < 2) throw new UsageError("select two or more runs to compare");
    const c = await compare(this.ws, { experiments: ids });
    const labels = columnLabels(c.columns);
    const rows = c.rows.map((r) => {
      const row: Record<string, string | null> = { kind: r.kind === "param" ? "param" : `metric (${directionOf(r.direction ?? "higher")})`, key: r.key };
      r.values.forEach((v, i) => (row[labels[i]!] = v === undefined ? null : valueText(v) + (r.best.includes(i) ? " ★" : "")));
      return row;
    });
    return { columns: ["kind", "key", ...labels], rows, note: c.rows.length === 0 ? "the runs have the same params and metrics" : undefined };
  }

  async diff(a: string, b: string): Promise<string> {
    if (!a || !b) throw new UsageError("select exactly two runs to diff");
    return renderDiff(await diff(this.ws, { a, b }), { color: false, width: 110 });
  }

  async top(metric: string, order: Direction | undefined, by: string): Promise<TableView> {
    const board = await top(this.ws, { metric, direction: order, by: checkGrouping(by || undefined), limit: 50 });
    const t = leaderboardTable(board, false);
    const ids = board.by ? board.groups.map((g) => g.best_id) : board.rows.map((r) => r.id);
    return { columns: t.columns, rows: t.rows.map((r, i) => ({ ...r, _id: ids[i] ?? null })), note: `${board.metric}: ${betterOf(board.direction)} is better${board.guessed ? " (guessed from the name)" : ""}` };
  }

  async trend(metric: string, along: string, order: Direction | undefined): Promise<TrendView> {
    const t = await trend(this.ws, { metric, direction: order, along: along || undefined });
    const table = trendTable(t, false);
    return {
      metric: t.metric,
      along: t.along,
      direction: t.direction,
      columns: table.columns,
      rows: table.rows,
      points: t.points.map((p) => ({ label: p.commit ? p.commit.slice(0, 8) : p.at.slice(0, 10), best: p.best, mean: p.mean })),
    };
  }

  bands(ids: string[], metric: string, band: "std" | "minmax"): ReturnType<DashboardData["bands"]> {
    return dashboard.bands(this.ws, ids, metric, band);
  }

  run(id: string): ReturnType<DashboardData["run"]> {
    return dashboard.run(this.ws, id);
  }

  matrix(where: string, keys: string[], options?: dashboard.MatrixOptions): ReturnType<DashboardData["matrix"]> {
    return dashboard.matrix(this.ws, where, keys, options);
  }

  media(spec: string, path: string): Promise<{ type: string; data: Uint8Array }> {
    return dashboard.media(this.ws, spec, path);
  }

  async live(): Promise<LiveView> {
    return { runs: await dashboard.live(this.ws, this.liveMetrics) };
  }

  liveSignature(): Promise<string> {
    return dashboard.liveSignature(this.ws);
  }

  async fingerprint(): Promise<string> {
    return this.watch.fingerprint();
  }

  async close(): Promise<void> {
    await this.liveMetrics.close();
  }
}

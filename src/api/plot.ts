import { NotFoundError, UsageError } from "../core/errors.js";
import { nearest } from "../core/filter.js";
import { metricCurves, type Curves } from "../analysis/curves.js";
import { repeatKeysOf } from "../capture/rules-file.js";
import type { Workspace } from "./workspace.js";

export type { Curves };

export interface PlotRequest {
  /** The series, e.g. loss or val.acc. */
  metric: string;
  /** Id prefixes or names; none: the newest experiments with the series (`where`, `limit`). */
  experiments?: string[];
  where?: string;
  /** How many of the newest when none are named (default 10). */
  limit?: number;
  x?: "step" | "time";
  /** `params.lr` or `name`: legend and colour. */
  colorBy?: string;
  /** One curve per group of repeats (gitexp.json repeat_keys), the mean with a band. */
  group?: "config";
  band?: "std" | "minmax";
}

export interface PlotData extends Curves {
  /** Without named experiments: how many have the series, and how many of them (the newest) were taken. */
  matched?: number;
  taken: number;
}

/** `git exp plot`: a metric's history across experiments, as curves to draw. */
export async function plot(ws: Workspace, req: PlotRequest): Promise<PlotData> {
  const specs = req.experiments ?? [];
  if (req.band !== undefined && req.group === undefined) throw new UsageError("--band goes with --group config");
  if (req.where !== undefined && specs.length > 0) throw new UsageError("name experiments or give --where, not both");
  const store = await ws.store();
  let ids: string[];
  let matched: number | undefined;
  if (specs.length > 0) {
    ids = await store.resolveAll(specs);
  } else ({ ids, matched } = await newest(ws, req.metric, req.where, req.limit ?? 10));
  const curves = await metricCurves(store, ids, {
    metric: req.metric,
    x: req.x ?? "step",
    colorBy: req.colorBy,
    group: req.group,
    band: req.band ?? "std",
    repeatKeys: await repeatKeysOf(store.repo),
  });
  return { ...curves, matched, taken: ids.length };
}

/** The newest experiments with the series, chosen in the index (the filter's errors come from there). */
async function newest(ws: Workspace, metric: string, where: string | undefined, limit: number): Promise<{ ids: string[]; matched: number }> {
  // loaded only here: DuckDB's binding costs ~190 ms, which plotting named experiments must not pay
  const { newestWithSeries, seriesKeys } = await import("../index/queries.js");
  return ws.query(async (db) => {
    const found = await newestWithSeries(db, metric, { where }, limit);
    if (found.ids.length === 0) throw noSeries(metric, where, await seriesKeys(db));
    return found;
  });
}

function noSeries(metric: string, where: string | undefined, known: string[]): NotFoundError {
  const near = nearest(metric, known);
  const hint =
    known.length === 0
      ? "no experiment has a metric history yet: run one with 'git exp run -- python train.py' (its metric lines are the history), or record one with --series"
      : known.includes(metric)
        ? "the filter leaves out every experiment that has one: loosen it"
        : near.length > 0
          ? `did you mean ${near.join(", ")}?`
          : `series here: ${known.slice(0, 8).join(", ")}`;
  return new NotFoundError(`no experiment${where ? " matching the filter" : ""} has a '${metric}' series; ${hint}`);
}

import { UsageError } from "../core/errors.js";
import { loadCatalog } from "../analysis/catalog.js";
import { groupOf, resolveGroup, type Group } from "../analysis/groups.js";
import { checkAlpha, compareGroups } from "../analysis/stats.js";
import type { StatsReport } from "../core/stats-results.js";
import type { DirectionHints } from "../analysis/metric-direction.js";
import { repeatKeysOf } from "../capture/rules-file.js";
import type { Workspace } from "./workspace.js";

export type { Group, StatsReport };

/** A side of the comparison: a name, id or config hash with its repeats, or a filter. */
export type StatsSide = { spec: string } | { where: string };

export interface StatsRequest extends DirectionHints {
  a: StatsSide;
  b: StatsSide;
  /** Significance level (default 0.05). */
  alpha?: number;
}

export interface StatsResult {
  a: Group;
  b: Group;
  report: StatsReport;
}

/** `git exp stats`: repeated runs compared, per metric n, mean, std, 95% CI and Welch's t-test of B against A. */
export async function stats(ws: Workspace, req: StatsRequest): Promise<StatsResult> {
  const alpha = req.alpha ?? 0.05;
  checkAlpha(alpha);
  const store = await ws.store();
  const repeatKeys = await repeatKeysOf(store.repo);
  const byFilter = async (expr: string): Promise<Group> => {
    // loaded only for a filter: DuckDB's binding costs ~190 ms, which naming experiments must not pay
    const { idsMatching } = await import("../index/queries.js");
    const ids = await ws.query((db) => idsMatching(db, { where: expr }));
    return groupOf(`where ${expr}`, await loadCatalog(store, ids, repeatKeys));
  };
  const needsCatalog = "spec" in req.a || "spec" in req.b;
  const catalog = needsCatalog ? await loadCatalog(store, undefined, repeatKeys) : [];
  const side = (s: StatsSide): Promise<Group> => ("where" in s ? byFilter(s.where) : Promise.resolve(resolveGroup(catalog, s.spec)));
  const a = await side(req.a);
  const b = await side(req.b);
  return { a, b, report: compareGroups(a, b, { alpha, minimize: req.minimize, maximize: req.maximize }) };
}

/**
 * The sides as the command line gives them: `A B`, `--where EXPR --vs EXPR`, or a filter
 * against a name (`--where EXPR NAME`).
 */
export function statsSides(a: string | undefined, b: string | undefined, where: string | undefined, vs: string | undefined): { a: StatsSide; b: StatsSide } {
  const specA = where ?? a;
  const specB = vs ?? (where !== undefined ? a : b);
  if (specA === undefined || specB === undefined || (where !== undefined && b !== undefined)) {
    throw new UsageError("give two sides: stats A B, or stats --where EXPR --vs EXPR (a side may also be a name with the other a filter)");
  }
  return {
    a: where !== undefined ? { where } : { spec: specA },
    b: vs !== undefined ? { where: vs } : { spec: specB },
  };
}

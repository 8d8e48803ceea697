import { UsageError } from "../core/errors.js";
import { DEFAULT_REPEAT_KEYS, isRepeatKey } from "../core/rules.js";
import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { bestGroups, bestRuns, paramsOf, type MetricQuery } from "../index/queries.js";
import type { Selection } from "../index/selection.js";
import { checkDirection, directionOf, type Direction, type Grouping } from "../core/choices.js";
import { metricDirection } from "./metric-direction.js";
import type { TopGroup, Leaderboard } from "../core/top-results.js";

/** Which way is better when the user did not say: losses and errors go down, the rest up. */
export function guessDirection(metric: string): Direction {
  return directionOf(metricDirection(metric));
}

/** `val.acc` or `metrics.val.acc`: the metric's key in the index. */
function metricKey(metric: string): string {
  const m = metric.trim();
  if (m === "") throw new UsageError("name a metric, such as val.acc");
  return m.startsWith("metrics.") ? m.slice(8) : m;
}

export interface TopOptions extends Selection {
  metric: string;
  direction?: Direction;
  by?: Grouping;
  limit?: number;
  /** With --by config: the keys that tell repeats apart (gitexp.json repeat_keys; default seed). */
  repeatKeys?: readonly string[];
}

/** The metric checked against the index and the direction to rank in: what top and trend ask the index about. */
export async function metricQuery(db: IndexDatabase, options: Selection & { metric: string; direction?: Direction }): Promise<MetricQuery> {
  const metric = metricKey(options.metric);
  const catalog = await Catalog.load(db);
  catalog.requireMetric(metric);
  const direction = checkDirection(options.direction) ?? guessDirection(metric);
  return { catalog, metric, selection: options, direction };
}

/**
 * `git exp top`: the best experiments by one metric. NaN and missing values never rank;
 * ties go to the earlier experiment, then the smaller id, so the order is stable.
 */
export async function leaderboard(db: IndexDatabase, options: TopOptions): Promise<Leaderboard> {
  const q = await metricQuery(db, options);
  const limit = options.limit ?? 10;
  const base: Leaderboard = { metric: q.metric, direction: q.direction, guessed: options.direction === undefined, by: options.by ?? null, rows: [], groups: [] };
  if (!options.by) return { ...base, rows: (await bestRuns(db, q, limit)).map((r, i) => ({ rank: i + 1, ...r })) };
  const repeatKeys = options.repeatKeys ?? DEFAULT_REPEAT_KEYS;
  const groups = (await bestGroups(db, q, options.by, repeatKeys, limit)).map((g, i): TopGroup => ({ rank: i + 1, ...g }));
  if (options.by === "config") await attachParams(db, groups, repeatKeys);
  return { ...base, groups };
}

/** A group's params: its best run's, without the repeat keys that vary among its runs. */
async function attachParams(db: IndexDatabase, groups: TopGroup[], repeatKeys: readonly string[]): Promise<void> {
  if (groups.length === 0) return;
  const params = await paramsOf(db, { ids: groups.map((g) => g.best_id) });
  for (const g of groups) {
    g.params = {};
    for (const [key, value] of Object.entries(params.get(g.best_id) ?? {})) if (!isRepeatKey(key, repeatKeys)) g.params[key] = value;
  }
}

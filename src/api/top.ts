import { UsageError } from "../core/errors.js";
import { checkGrouping, GROUPINGS, type Direction, type Grouping } from "../core/choices.js";
import { leaderboard } from "../analysis/leaderboard.js";
import type { Leaderboard } from "../core/top-results.js";
import { repeatKeysOf } from "../capture/rules-file.js";
import type { Selection } from "../index/selection.js";
import type { Workspace } from "./workspace.js";

export { GROUPINGS, type Direction, type Grouping, type Leaderboard };

export interface TopRequest extends Selection {
  metric: string;
  /** Which way is better; absent, the metric's name decides (loss, error, time: lower). */
  direction?: Direction;
  /** One row per config (repeats, told apart by gitexp.json's repeat_keys), name, branch or commit. */
  by?: Grouping;
  /** Rows (default 10). */
  limit?: number;
}

/** `git exp top`: the best experiments (or groups of them) by a metric, from the index. */
export async function top(ws: Workspace, req: TopRequest): Promise<Leaderboard> {
  const by = checkGrouping(req.by);
  if (req.limit !== undefined && !(Number.isSafeInteger(req.limit) && req.limit > 0)) throw new UsageError(`limit takes a whole number from 1, not ${req.limit}`);
  const repeatKeys = by === "config" ? await repeatKeysOf(await ws.repo()) : undefined;
  return ws.query((db) => leaderboard(db, { ...req, by, repeatKeys, limit: req.limit ?? 10 }));
}

import { searchExperiments, type SearchOptions, type SearchResult } from "../analysis/search.js";
import type { FoundExperiment } from "../core/search-results.js";
import { listLive, readLiveProgress } from "../capture/live.js";
import type { LiveProgress, LiveRun } from "../core/live-results.js";
import type { Workspace } from "./workspace.js";

export type { FoundExperiment, SearchResult };
export type { Selection } from "../index/selection.js";
export type LsRequest = SearchOptions;

/** `git exp ls`: experiments in the index, filtered, sorted and limited (newest first by default). */
export function ls(ws: Workspace, req: LsRequest = {}): Promise<SearchResult> {
  return ws.query((db) => searchExperiments(db, req));
}

export interface RunningRuns {
  runs: LiveRun[];
  /** Each run's step and latest metrics, by its live record's key. */
  progress: Map<string, LiveProgress>;
}

/** `git exp ls --running`: the runs in progress in this repository, read from their live records without the index. */
export async function lsRunning(ws: Workspace): Promise<RunningRuns> {
  const runs = await listLive(await ws.repo());
  const progress = new Map(await Promise.all(runs.map(async (r) => [r.key, await readLiveProgress(r)] as const)));
  return { runs, progress };
}

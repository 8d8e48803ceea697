import type { IndexStatus } from "../index/experiment-index.js";
import type { SyncReport } from "../index/sync.js";
import type { Workspace } from "./workspace.js";

export type { IndexStatus, SyncReport };

/** `git exp index`: bring the index up to date with the refs (every query does this itself); `rebuild` starts from scratch. What sync left out is told as warnings. */
export async function syncIndex(ws: Workspace, options: { rebuild?: boolean } = {}): Promise<SyncReport> {
  const report = await (await ws.index()).sync(Boolean(options.rebuild));
  ws.reportSync(report);
  return report;
}

/** `git exp index --status`: where the index is, how big, how current, what was left out. */
export async function indexStatus(ws: Workspace): Promise<IndexStatus> {
  return (await ws.index()).status();
}

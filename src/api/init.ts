import type { InitSummary } from "../core/share-results.js";
import { hiddenFromLog, hideFromLog, initRemote } from "../store/remote-config.js";
import { remoteNames } from "../store/remote.js";
import type { Workspace } from "./workspace.js";

export type { InitSummary };

export interface InitRequest {
  /** Remote name (default: the branch's remote, or origin). */
  remote?: string;
  /** Remove what init added (with `hide`, the log setting too). */
  undo?: boolean;
  /** Also keep experiment commits out of git log's decorations (log.excludeDecoration). */
  hide?: boolean;
}

export interface InitResult {
  summary: InitSummary;
  /** Only the log was set up: `hide` in a repository without remotes. */
  onlyLog: boolean;
  /** Whether git log leaves the experiment refs out now. */
  hidden: boolean;
}

/** `git exp init`: make plain git fetch and git push carry experiments and annotations for a remote. */
export async function init(ws: Workspace, req: InitRequest = {}): Promise<InitResult> {
  const repo = await ws.repo();
  const undo = Boolean(req.undo);
  // hide alone in a repository without remotes is fine: there is only the log to set up.
  const onlyLog = Boolean(req.hide) && req.remote === undefined && (await remoteNames(repo)).length === 0;
  const summary: InitSummary = onlyLog ? { remote: "(no remote)", added: [], removed: [] } : await initRemote(repo, req.remote, { undo });
  if (req.hide) await hideFromLog(repo, summary, { undo });
  return { summary, onlyLog, hidden: await hiddenFromLog(repo) };
}

import { loadRulesFile } from "../capture/rules-file.js";
import type { AnnotationPolicy } from "../store/annotation-policy.js";
import type { PullSummary } from "../core/share-results.js";
import { pull as pullFromRemote } from "../store/pull.js";
import type { Repository } from "../store/repository.js";
import type { Workspace } from "./workspace.js";

export type { PullSummary };

export interface PullRequest {
  remote?: string;
  /** false: only check what a plain `git fetch` already put in quarantine. */
  fetch?: boolean;
  /** `--no-deletes`: keep deletes made in other clones out (also gitexp.json `accept_deletes: false`). */
  noDeletes?: boolean;
  /** `--verify-signatures`: keep only annotations added by well-signed commits (also gitexp.json `verify_signatures`). */
  verifySignatures?: boolean;
  /** What "now" is for refusing events dated ahead (default: the workspace's clock). */
  nowMs?: number;
}

/** `git exp pull`: experiments checked into refs/experiments, annotations merged as the policy allows. */
export async function pull(ws: Workspace, request: PullRequest = {}): Promise<PullSummary> {
  const repo = await ws.repo();
  const policy = await annotationPolicy(repo, { ...request, nowMs: request.nowMs ?? ws.now() });
  return pullFromRemote(repo, { remote: request.remote, fetch: request.fetch, policy });
}

/** The flags, else gitexp.json, else accept every event not dated more than a day ahead. */
export async function annotationPolicy(
  repo: Repository,
  flags: { noDeletes?: boolean; verifySignatures?: boolean; nowMs?: number } = {},
): Promise<AnnotationPolicy> {
  const rules = await loadRulesFile(repo);
  return {
    acceptDeletes: !flags.noDeletes && rules?.acceptDeletes !== false,
    verifySignatures: flags.verifySignatures === true || rules?.verifySignatures === true,
    nowMs: flags.nowMs ?? Date.now(),
  };
}

/** Whether a pull kept out something a user did not ask to keep out: exit 1, as for a rejected experiment. */
export function pullRefusedSomething(summary: PullSummary): boolean {
  return summary.rejected.length > 0 || summary.events.some((e) => e.refused === "future" || e.refused === "unsigned");
}

import { REFUSAL_REASONS, type IncomingEvent } from "../core/annotation-trust.js";
import type { InitSummary, PullSummary, PushSummary } from "../core/share-results.js";
import { shortId } from "../core/ids.js";

/** Summary lines for stdout; problems go to stderr, one line each, at most `limit`. */
export function renderPush(s: PushSummary): { out: string; problems: string[] } {
  const out = `pushed to ${s.remote}: ${s.sent.length} sent, ${s.present} already there, ${s.refused.length} refused; annotations: ${s.notes}\n` + renderEvents(s.events);
  const problems = s.refused.map((r) => `refused ${shortId(r.id)}: ${r.reason}`);
  if (s.notes === "refused") problems.push("the remote refused the annotations (refs/notes/experiments)");
  return { out, problems };
}

export function renderPull(s: PullSummary): { out: string; problems: string[] } {
  const parts = [`${s.added.length} new`, `${s.remoteCount} on the remote`, `${s.rejected.length} rejected`];
  if (s.skippedDeleted > 0) parts.push(`${s.skippedDeleted} deleted here, left out`);
  const out = `pulled from ${s.remote}: ${parts.join(", ")}; annotations: ${s.notes}\n` + renderEvents(s.events);
  const problems = s.rejected.map((r) => `rejected ${r.id ? shortId(r.id) : r.ref}: ${r.reason} (kept in quarantine at ${r.ref})`);
  return { out, problems };
}

const VERBS: Record<IncomingEvent["op"], string> = { delete: "deleted", rename: "renamed", restore: "restored", tag: "tagged", untag: "untagged", note: "noted" };

/**
 * One line per delete, rename or restore another clone's annotations brought, applied or
 * kept out, and per event kept out: who, when, which experiment.
 */
function renderEvents(events: IncomingEvent[]): string {
  const lines = events.map((e) => {
    const which = `${shortId(e.id)}${e.experimentName !== undefined ? ` (${e.experimentName})` : ""}`;
    const what = e.op === "rename" ? `${which} to ${e.name ?? "?"}` : e.tag !== undefined ? `${which} ${e.tag}` : which;
    const who = `by ${e.by.name} <${e.by.email}> at ${e.at}`;
    return e.refused ? `refused: ${VERBS[e.op]} ${what} ${who}: ${REFUSAL_REASONS[e.refused]}` : `${VERBS[e.op]} ${what} ${who}`;
  });
  return capLines(lines);
}

export function renderInit(s: InitSummary, undo: boolean): string {
  const lines = undo ? s.removed.map((l) => `removed ${l}`) : s.added.map((l) => `added ${l}`);
  if (lines.length === 0) lines.push(undo ? `nothing to undo for ${s.remote}` : `${s.remote} already carries experiments`);
  return lines.join("\n") + "\n";
}

/** At most `limit` lines, then a count of the rest. */
export function capLines(lines: string[], limit = 20): string {
  const shown = lines.slice(0, limit);
  if (lines.length > limit) shown.push(`... and ${lines.length - limit} more (see --json)`);
  return shown.map((l) => `${l}\n`).join("");
}

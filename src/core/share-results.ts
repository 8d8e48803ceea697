import type { IncomingEvent } from "./annotation-trust.js";

/** What push, pull and init did: the results the share commands report (report/share.ts renders them). */

export type NotesOutcome = "none" | "up to date" | "fast-forward" | "merged" | "sent" | "refused";

export interface PullSummary {
  remote: string;
  /** Experiments on the remote (that passed the ref-name check). */
  remoteCount: number;
  /** Experiments checked and promoted into refs/experiments. */
  added: string[];
  /** Experiments deleted here (rm --purge) that the remote still has: left out. */
  skippedDeleted: number;
  /** Experiments left in quarantine, each with the reason. */
  rejected: { ref: string; id: string | null; reason: string }[];
  notes: NotesOutcome;
  /** Deletes, renames and restores the remote's annotations brought, and every event kept out. */
  events: IncomingEvent[];
}

export interface PushSummary {
  remote: string;
  /** Experiments the remote lacked and now has. */
  sent: string[];
  /** Experiments the remote already had. */
  present: number;
  /** Experiments the remote would not take, with git's reason. */
  refused: { id: string; reason: string }[];
  notes: NotesOutcome;
  /** Deletes, renames and restores that merging the remote's newer annotations brought, and refused events. */
  events: IncomingEvent[];
}

export interface InitSummary {
  remote: string;
  /** Config lines written ("remote.origin.fetch +refs/..."); empty when already set up. */
  added: string[];
  removed: string[];
}

import type { AnnotationEvent } from "./annotations.js";
import type { Person } from "./experiment.js";

/**
 * How a clone judges the annotation events another clone sends (the fold in annotations.ts
 * is how it applies them): what a pull reports and what it keeps out.
 */

/** An event further ahead of the clock than this is refused: no clock is that wrong. */
export const FUTURE_SLACK_MS = 24 * 3600 * 1000;

export type RefusalKind = "future" | "no-deletes" | "unsigned";

/** One event a merge brings that a user must hear about: a delete, rename or restore, or any refused event. */
export interface IncomingEvent {
  id: string;
  op: AnnotationEvent["op"];
  at: string;
  by: Person;
  /** The experiment's recorded name, to tell the user which one it is. */
  experimentName?: string;
  /** The new name of a rename; the tag of a tag or untag. */
  name?: string;
  tag?: string;
  applied: boolean;
  refused?: RefusalKind;
}

/** Why an event was kept out, as the user reads it. */
export const REFUSAL_REASONS: Record<RefusalKind, string> = {
  future: "dated more than a day in the future",
  "no-deletes": "remote deletes are kept out (--no-deletes or accept_deletes: false)",
  unsigned: "not added by a commit with a good signature (--verify-signatures)",
};


import { InvalidInputError } from "./errors.js";
import { canonicalJson, isJsonObject, parseJson, type JsonObject } from "./json.js";
import { checkName, checkTag, type ExperimentMeta, type Person } from "./experiment.js";

/**
 * Changes after the fact, kept as git notes (refs/notes/experiments) on the experiment
 * commit: one canonical JSON line per event. Notes merge with cat_sort_uniq (union), so
 * the current state is the fold of all events in time order.
 */
export const NOTES_REF = "refs/notes/experiments";

export type AnnotationOp = "tag" | "untag" | "note" | "rename" | "delete" | "restore";
export const ANNOTATION_OPS: readonly AnnotationOp[] = ["tag", "untag", "note", "rename", "delete", "restore"];

export interface AnnotationEvent {
  op: AnnotationOp;
  /** RFC 3339 UTC with milliseconds. */
  at: string;
  by: Person;
  tag?: string;
  text?: string;
  name?: string;
}

export interface AnnotationState {
  name: string | null;
  tags: string[];
  notes: { at: string; by: Person; text: string }[];
  deleted: boolean;
}

export function eventLine(e: AnnotationEvent): string {
  if (e.op === "tag" || e.op === "untag") checkTag(e.tag ?? "");
  if (e.op === "rename") checkName(e.name ?? "");
  if (e.op === "note" && typeof e.text !== "string") throw new InvalidInputError("a note needs text");
  return canonicalJson(e as unknown as JsonObject);
}

/** Parse a note's lines; lines that are not events are skipped (another tool's notes). */
export function parseEvents(text: string): AnnotationEvent[] {
  const out: AnnotationEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const v = parseJson(line);
      if (isJsonObject(v) && typeof v["op"] === "string" && typeof v["at"] === "string" && ANNOTATION_OPS.includes(v["op"] as AnnotationOp)) {
        out.push(v as unknown as AnnotationEvent);
      }
    } catch {
      // not an event line: ignore
    }
  }
  return out;
}

/** The current state: experiment.json's name and tags, then every event in time order. */
export function foldAnnotations(meta: Pick<ExperimentMeta, "name" | "tags">, events: AnnotationEvent[]): AnnotationState {
  const state: AnnotationState = { name: meta.name ?? null, tags: [...(meta.tags ?? [])], notes: [], deleted: false };
  const ordered = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : eventLine(a) < eventLine(b) ? -1 : 1));
  const tags = new Set(state.tags);
  for (const e of ordered) {
    switch (e.op) {
      case "tag":
        if (e.tag) tags.add(e.tag);
        break;
      case "untag":
        if (e.tag) tags.delete(e.tag);
        break;
      case "rename":
        if (e.name) state.name = e.name;
        break;
      case "note":
        if (typeof e.text === "string") state.notes.push({ at: e.at, by: e.by, text: e.text });
        break;
      case "delete":
        state.deleted = true;
        break;
      case "restore":
        state.deleted = false;
        break;
    }
  }
  state.tags = [...tags].sort();
  return state;
}

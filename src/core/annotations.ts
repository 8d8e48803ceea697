import { InvalidInputError } from "./errors.js";
import { canonicalJson, isJsonObject, parseJson, type JsonObject, type JsonValue } from "./json.js";
import { checkNewName, checkTag, type ExperimentMeta, type Person } from "./experiment.js";

/**
 * Changes after the fact, kept as git notes (refs/notes/experiments) on the experiment
 * commit: one canonical JSON line per event. Notes merge with cat_sort_uniq (union), so
 * the current state is the fold of all events in time order.
 */
export const NOTES_REF = "refs/notes/experiments";

export type AnnotationOp = "tag" | "untag" | "note" | "rename" | "delete" | "restore";
const ANNOTATION_OPS: readonly AnnotationOp[] = ["tag", "untag", "note", "rename", "delete", "restore"];

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
  if (e.op === "rename") checkNewName(e.name ?? "");
  if (e.op === "note" && (typeof e.text !== "string" || e.text.trim() === "")) {
    throw new InvalidInputError("a note needs text: give the note as one argument in quotes");
  }
  return canonicalJson(e as unknown as JsonObject);
}

/**
 * Parse a note's lines. Lines that are not well-formed events (another tool's notes, or a
 * hostile remote's) are skipped, so folding never trips over them.
 */
export function parseEvents(text: string): AnnotationEvent[] {
  const out: AnnotationEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const e = eventFromLine(line);
    if (e) out.push(e);
  }
  return out;
}

/**
 * The events an exported document carries (`"annotations"`), checked as strictly as a
 * record is: a malformed event makes the whole line bad, so nothing of it is written.
 */
export function documentEvents(value: JsonValue | undefined, where: string): AnnotationEvent[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidInputError(`${where}: "annotations" must be a list of annotation events`);
  return value.map((v, i) => {
    const e = isJsonObject(v) ? eventFromLine(canonicalJson(v)) : undefined;
    if (!e) throw new InvalidInputError(`${where}: annotations[${i}] is not an annotation event ({"op", "at", "by": {"name", "email"}, ...})`);
    return e;
  });
}

function eventFromLine(line: string): AnnotationEvent | undefined {
  try {
    const v = parseJson(line);
    if (!isJsonObject(v) || typeof v["op"] !== "string" || typeof v["at"] !== "string") return undefined;
    if (!ANNOTATION_OPS.includes(v["op"] as AnnotationOp) || Number.isNaN(Date.parse(v["at"]))) return undefined;
    const by = v["by"];
    if (!isJsonObject(by) || typeof by["name"] !== "string" || typeof by["email"] !== "string") return undefined;
    const e = v as unknown as AnnotationEvent;
    eventLine(e);
    return e;
  } catch {
    return undefined;
  }
}

/** The fields a user gives; time and author are stamped by stampEvents. */
export interface AnnotationChange {
  op: AnnotationOp;
  tag?: string;
  text?: string;
  name?: string;
}

/**
 * Give changes their time and author. Times only move forward on one experiment (at least
 * 1 ms after its latest event), so a quick tag-then-untag folds in the order it was typed
 * even when the clock is coarse or fixed by GIT_AUTHOR_DATE.
 */
export function stampEvents(existing: AnnotationEvent[], changes: AnnotationChange[], by: Person, nowMs: number): AnnotationEvent[] {
  let last = Math.max(-Infinity, ...existing.map((e) => Date.parse(e.at)));
  return changes.map((c) => {
    const t = Math.max(nowMs, last + 1);
    last = t;
    const e: AnnotationEvent = { op: c.op, at: new Date(t).toISOString(), by: { name: by.name, email: by.email } };
    if (c.tag !== undefined) e.tag = c.tag;
    if (c.text !== undefined) e.text = c.text;
    if (c.name !== undefined) e.name = c.name;
    eventLine(e);
    return e;
  });
}

/** Whether a change would alter the current state (tagging a tagged experiment does not). */
export function changesState(state: AnnotationState, c: AnnotationChange): boolean {
  switch (c.op) {
    case "tag":
      return !state.tags.includes(c.tag ?? "");
    case "untag":
      return state.tags.includes(c.tag ?? "");
    case "rename":
      return state.name !== c.name;
    case "delete":
      return !state.deleted;
    case "restore":
      return state.deleted;
    case "note":
      return true;
  }
}

/** The current state: experiment.json's name and tags, then every event in time order. */
export function foldAnnotations(meta: Pick<ExperimentMeta, "name" | "tags">, events: AnnotationEvent[]): AnnotationState {
  const state: AnnotationState = { name: meta.name ?? null, tags: [...(meta.tags ?? [])], notes: [], deleted: false };
  // Ties in time break on the canonical line, so every clone folds in the same order.
  const keyed = events.map((e) => ({ e, t: Date.parse(e.at), line: canonicalJson(e as unknown as JsonObject) }));
  keyed.sort((a, b) => a.t - b.t || (a.line < b.line ? -1 : a.line > b.line ? 1 : 0));
  const ordered = keyed.map((k) => k.e);
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

import type { AnnotationState } from "../core/annotations.js";
import { shortId } from "../core/ids.js";

/** One line per experiment after an annotation command: what it is called and tagged now. */
export function renderAnnotateResult(r: { id: string; written: unknown[]; state: AnnotationState }): string {
  const s = r.state;
  const parts = [
    shortId(r.id),
    s.name ?? "(unnamed)",
    s.tags.length ? `tags: ${s.tags.join(", ")}` : "no tags",
    s.notes.length ? `${s.notes.length} note${s.notes.length === 1 ? "" : "s"}` : "",
    s.deleted ? "deleted" : "",
    r.written.length === 0 ? "(unchanged)" : "",
  ];
  return parts.filter(Boolean).join("  ") + "\n";
}

/** The Notes section of `show`: newest last, each with its author and time. */
export function renderNotes(s: AnnotationState): string[] {
  if (s.notes.length === 0) return [];
  const out = ["", "Notes:"];
  for (const n of s.notes) {
    out.push(`  ${n.at.slice(0, 19).replace("T", " ")}  ${n.by.name}`);
    out.push(...n.text.split("\n").map((l) => `    ${l}`));
  }
  return out;
}

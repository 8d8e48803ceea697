import { NOTES_REF, eventLine, parseEvents, type AnnotationEvent } from "../core/annotations.js";
import { runGit, GitCommandError } from "./git.js";
import { ObjectReader } from "./object-reader.js";
import type { Repository } from "./repository.js";

/** The tip of the notes ref, or null: a cheap "did any annotation change?" test. */
export async function annotationsTip(repo: Repository): Promise<string | null> {
  const r = await runGit(["rev-parse", "-q", "--verify", NOTES_REF], { cwd: repo.cwd });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

/** Every experiment's events: one `notes list` and one pipelined blob read. */
export async function readAllAnnotations(repo: Repository, reader?: ObjectReader): Promise<Map<string, AnnotationEvent[]>> {
  const out = new Map<string, AnnotationEvent[]>();
  const r = await runGit(["notes", `--ref=${NOTES_REF}`, "list"], { cwd: repo.cwd });
  if (r.code !== 0) return out;
  const own = reader ?? new ObjectReader(repo.cwd);
  try {
    for (const line of r.stdout.toString("utf8").split("\n")) {
      const [blob, target] = line.split(" ");
      if (!blob || !target) continue;
      own.request(blob, (o) => {
        if (o) out.set(target, parseEvents(o.data.toString("utf8")));
      });
    }
    await own.drain();
  } finally {
    if (!reader) await own.close();
  }
  return out;
}

export async function readAnnotations(repo: Repository, id: string): Promise<AnnotationEvent[]> {
  const r = await runGit(["notes", `--ref=${NOTES_REF}`, "show", id], { cwd: repo.cwd });
  return r.code === 0 ? parseEvents(r.stdout.toString("utf8")) : [];
}

/**
 * Append events to an experiment's note. Lines stay sorted and unique, the same shape
 * cat_sort_uniq produces, so a local edit and a merged one look alike.
 */
export async function appendAnnotations(repo: Repository, id: string, events: AnnotationEvent[]): Promise<void> {
  const existing = await runGit(["notes", `--ref=${NOTES_REF}`, "show", id], { cwd: repo.cwd });
  const lines = new Set(
    (existing.code === 0 ? existing.stdout.toString("utf8") : "").split("\n").filter((l) => l.trim() !== ""),
  );
  for (const e of events) lines.add(eventLine(e).trimEnd());
  const text = [...lines].sort().join("\n") + "\n";
  const args = ["notes", `--ref=${NOTES_REF}`, "add", "-f", "-F", "-", id];
  const r = await runGit(args, { cwd: repo.cwd, input: text });
  if (r.code !== 0) throw new GitCommandError(args, r);
}

import {
  NOTES_REF,
  changesState,
  eventLine,
  foldAnnotations,
  parseEvents,
  stampEvents,
  type AnnotationChange,
  type AnnotationEvent,
  type AnnotationState,
} from "../core/annotations.js";
import type { ExperimentMeta, Person } from "../core/experiment.js";
import { readRefused, refusedSet, REFUSED_REF, withoutRefused } from "./annotation-policy.js";
import type { ExperimentStore } from "./experiment-store.js";
import { runGit, GitCommandError } from "./git.js";
import { ObjectReader } from "./object-reader.js";
import { noteText, signsCommits, writeSignedNote } from "./signed-notes.js";
import type { Repository } from "./repository.js";

/**
 * The tip of the notes ref (and of the refused events, when there are any), or null: a
 * cheap "did any annotation change?" test.
 */
export async function annotationsTip(repo: Repository): Promise<string | null> {
  const r = await runGit(["for-each-ref", "--format=%(objectname)", NOTES_REF, REFUSED_REF], { cwd: repo.cwd, env: repo.env });
  const tips = r.code === 0 ? r.stdout.toString("utf8").trim().split("\n").filter(Boolean) : [];
  return tips.length > 0 ? tips.join("+") : null;
}

/** Every experiment's events: one `notes list` and one pipelined blob read. */
export async function readAllAnnotations(repo: Repository, reader?: ObjectReader): Promise<Map<string, AnnotationEvent[]>> {
  const out = new Map<string, AnnotationEvent[]>();
  const r = await runGit(["notes", `--ref=${NOTES_REF}`, "list"], { cwd: repo.cwd, env: repo.env });
  if (r.code !== 0) return out;
  const own = reader ?? new ObjectReader(repo.cwd, [], repo.env);
  try {
    // Answered in order: the refused events are known before the first note arrives.
    let refused = new Set<string>();
    own.request(REFUSED_REF, (o) => (refused = refusedSet(o?.type === "blob" ? o.data.toString("utf8") : "")));
    for (const line of r.stdout.toString("utf8").split("\n")) {
      const [blob, target] = line.split(" ");
      if (!blob || !target) continue;
      own.request(blob, (o) => {
        if (o) out.set(target, parseEvents(withoutRefused(target, o.data.toString("utf8"), refused)));
      });
    }
    await own.drain();
  } finally {
    if (!reader) await own.close();
  }
  return out;
}

/**
 * The events of a few experiments without listing every note: each note is looked up by its
 * path in the notes tree, at each fanout git writes (`<id>`, `ab/<rest>` once the notes number
 * in the hundreds, `ab/cd/<rest>` past tens of thousands), in one pipelined read.
 */
export async function readAnnotationsOf(reader: ObjectReader, ids: string[]): Promise<Map<string, AnnotationEvent[]>> {
  const out = new Map<string, AnnotationEvent[]>();
  // Answered in order: the refused events are known before the first note arrives.
  let refused = new Set<string>();
  reader.request(REFUSED_REF, (o) => (refused = refusedSet(o?.type === "blob" ? o.data.toString("utf8") : "")));
  for (const id of new Set(ids)) {
    for (let fanout = 0; fanout <= NOTE_FANOUT_TRIED; fanout++) {
      const dirs = Array.from({ length: fanout }, (_, i) => id.slice(2 * i, 2 * i + 2));
      reader.request(`${NOTES_REF}:${[...dirs, id.slice(2 * fanout)].join("/")}`, (o) => {
        if (o?.type === "blob" && !out.has(id)) out.set(id, parseEvents(withoutRefused(id, o.data.toString("utf8"), refused)));
      });
    }
  }
  await reader.drain();
  return out;
}

/** git adds a level of fanout for every 256-fold growth of the notes: four covers 4 billion. */
const NOTE_FANOUT_TRIED = 4;

/** One experiment's events, without those this clone refused from a remote. */
export async function readAnnotations(repo: Repository, id: string): Promise<AnnotationEvent[]> {
  const [r, refused] = await Promise.all([runGit(["notes", `--ref=${NOTES_REF}`, "show", id], { cwd: repo.cwd, env: repo.env }), readRefused(repo)]);
  return r.code === 0 ? parseEvents(withoutRefused(id, r.stdout.toString("utf8"), refused)) : [];
}

/**
 * Append events to an experiment's note. Lines stay sorted and unique, the same shape
 * cat_sort_uniq produces, so a local edit and a merged one look alike.
 */
export async function appendAnnotations(repo: Repository, id: string, events: AnnotationEvent[]): Promise<void> {
  const added = events.map((e) => eventLine(e).trimEnd());
  if (await signsCommits(repo)) return writeSignedNote(repo, id, added);
  const existing = await runGit(["notes", `--ref=${NOTES_REF}`, "show", id], { cwd: repo.cwd, env: repo.env });
  const text = noteText(existing.code === 0 ? existing.stdout.toString("utf8") : "", added);
  const args = ["notes", `--ref=${NOTES_REF}`, "add", "-f", "-F", "-", id];
  const r = await runGit(args, { cwd: repo.cwd, env: repo.env, input: text });
  if (r.code !== 0) throw new GitCommandError(args, r);
}

export interface AnnotateResult {
  id: string;
  /** Events written; empty when every change was already the current state. */
  written: AnnotationEvent[];
  state: AnnotationState;
}

/**
 * Apply tag/untag/note/rename/delete/restore changes to one experiment (full id). Every
 * change is checked before anything is written; changes that would not alter the current
 * state (tagging a tagged experiment) are left out.
 */
export async function annotate(
  store: ExperimentStore,
  id: string,
  changes: AnnotationChange[],
  options: { by: Person; nowMs?: number },
): Promise<AnnotateResult> {
  const meta = (await store.read(id)).meta;
  const existing = await readAnnotations(store.repo, id);
  const now = options.nowMs ?? Date.now();
  const stamp = (cs: AnnotationChange[]): AnnotationEvent[] => stampEvents(existing, cs, options.by, now);
  stamp(changes); // checks every change before anything is written
  const effective: AnnotationChange[] = [];
  for (const c of changes) {
    if (changesState(foldAnnotations(meta, [...existing, ...stamp(effective)]), c)) effective.push(c);
  }
  const written = stamp(effective);
  if (written.length > 0) await appendAnnotations(store.repo, id, written);
  return { id, written, state: foldAnnotations(meta, [...existing, ...written]) };
}

/** The current name, tags, notes and deleted flag of one experiment. */
export async function annotationState(store: ExperimentStore, id: string, meta?: ExperimentMeta): Promise<AnnotationState> {
  const m = meta ?? (await store.read(id)).meta;
  return foldAnnotations(m, (await store.annotationsOf([id])).get(id) ?? []);
}

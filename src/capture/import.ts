import { documentEvents, eventLine, type AnnotationEvent } from "../core/annotations.js";
import { InvalidInputError } from "../core/errors.js";
import { documentToExperiment } from "../core/document.js";
import { validateReadable, type Experiment } from "../core/experiment.js";
import { isJsonObject, parseJson } from "../core/json.js";
import { appendAnnotations, readAnnotations } from "../store/annotations.js";
import { noteArrived } from "../store/arrivals.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { completeDocument } from "./record.js";

export interface ImportSummary {
  read: number;
  created: number;
  existing: number;
  bad: { line: number; message: string }[];
  /** Lines whose "id" differs from the id here because their source commit is not in this repository. */
  reparented: number;
  /**
   * Lines whose "id" differs for another reason: the document came from an experiment whose
   * files were not in the canonical form (written by another tool), so it is stored here as
   * canonical content, under that content's id.
   */
  reidentified: number;
  /** Annotation events replayed (events already here are not counted, nor written again). */
  annotations: number;
}

export interface ImportOptions {
  environ?: NodeJS.ProcessEnv;
  batchSize?: number;
  onProgress?: (done: number) => void;
}

/**
 * Import NDJSON experiment documents in batches through the bulk writer. A bad line is
 * reported with its number and nothing of it is written; the other lines are.
 */
export async function importDocuments(
  store: ExperimentStore,
  lines: AsyncIterable<string>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { read: 0, created: 0, existing: 0, bad: [], reparented: 0, reidentified: 0, annotations: 0 };
  const batchSize = options.batchSize ?? 2000;
  let batch: { line: number; exp: Experiment; id?: string; events: AnnotationEvent[] }[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const outcomes = await store.write(batch.map((b) => b.exp), undefined, { asRead: true });
    for (const [i, o] of outcomes.entries()) summary.annotations += await replay(store, o.id, batch[i]!.events);
    // Someone else's work, whatever name it carries: repro asks before running its command.
    await noteArrived(store.repo, outcomes.filter((o) => o.status === "created").map((o) => o.id));
    outcomes.forEach((o, i) => {
      if (o.status === "created") summary.created++;
      else summary.existing++;
      const { id: wanted, exp } = batch[i]!;
      if (wanted === undefined || wanted === o.id) return;
      if (exp.meta.source?.commit && o.parent !== exp.meta.source.commit) summary.reparented++;
      else summary.reidentified++;
    });
    batch = [];
    options.onProgress?.(summary.read);
  };
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const text = raw.trim();
    if (!text) continue;
    summary.read++;
    try {
      const doc = parseJson(text, { allowNonFinite: true, source: `line ${lineNo}` });
      const exp = await completeDocument(store, documentToExperiment(doc, `line ${lineNo}`), {
        environ: options.environ,
        captureSource: false,
      });
      validateReadable(exp);
      const id = isJsonObject(doc) && typeof doc["id"] === "string" ? doc["id"] : undefined;
      const events = documentEvents(isJsonObject(doc) ? doc["annotations"] : undefined, `line ${lineNo}`);
      batch.push({ line: lineNo, exp, id, events });
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      summary.bad.push({ line: lineNo, message: e.message.replace(/^line \d+: /, "") });
      continue;
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}

/** Append the events the experiment's note does not hold yet: importing twice adds nothing. */
async function replay(store: ExperimentStore, id: string, events: AnnotationEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const have = new Set((await readAnnotations(store.repo, id)).map(eventLine));
  const fresh = events.filter((e) => !have.has(eventLine(e)));
  if (fresh.length > 0) await appendAnnotations(store.repo, id, fresh);
  return fresh.length;
}

import { foldAnnotations, type AnnotationEvent, type AnnotationState } from "../core/annotations.js";
import { experimentToDocument, documentLine } from "../core/document.js";
import { flattenMetrics, flattenParams, type Experiment } from "../core/experiment.js";
import { canonicalJson, type JsonObject, type JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { makeObject } from "../store/objects.js";
import type { ExportColumn, ExportTable, ExportValue } from "../core/table.js";
import { shortId } from "../core/ids.js";

export interface ExportProblems {
  /** Experiments that could not be read, and refs that break the format. */
  problems: string[];
}

/** The experiments to export: every readable, not deleted one, with its current annotations. */
async function eachLive(
  store: ExperimentStore,
  onEach: (id: string, exp: Experiment, state: AnnotationState, events: AnnotationEvent[]) => void,
  only?: string[],
): Promise<ExportProblems> {
  const { refs, corrupt } = await store.list();
  const problems = only ? [] : corrupt.map((c) => `${c.ref} points to ${c.target}: corrupt ref, skipped`);
  const events: Map<string, AnnotationEvent[]> = await store.annotations();
  const ids = only ?? refs.map((r) => r.id);
  const live = ids.filter((id) => !foldAnnotations({}, events.get(id) ?? []).deleted);
  await store.readMany(live, (id, exp) => {
    if (exp instanceof Error) problems.push(`${shortId(id)} skipped: ${exp.message}`);
    else onEach(id, exp, foldAnnotations(exp.meta, events.get(id) ?? []), events.get(id) ?? []);
  });
  return { problems };
}

/**
 * NDJSON: one lossless document per experiment, exactly as stored (importing it gives the
 * same id), with its annotation events (tags, notes, renames) under `annotations`, in time
 * order, for import to replay. Deleted experiments are left out.
 */
export function exportDocuments(store: ExperimentStore, write: (line: string) => void, only?: string[]): Promise<ExportProblems> {
  return eachLive(
    store,
    (id, exp, _state, events) => {
      const doc = experimentToDocument(exp, id);
      if (events.length > 0) doc["annotations"] = [...events].sort((a, b) => a.at.localeCompare(b.at)) as unknown as JsonObject[];
      write(documentLine(doc));
    },
    only,
  );
}

const BASE: ExportColumn[] = [
  { name: "id", type: "varchar" },
  { name: "name", type: "varchar" },
  { name: "status", type: "varchar" },
  { name: "created_at", type: "timestamp" },
  { name: "created_by_name", type: "varchar" },
  { name: "created_by_email", type: "varchar" },
  { name: "tags", type: "varchar[]" },
  { name: "message", type: "varchar" },
  { name: "duration_s", type: "double" },
  { name: "exit_code", type: "integer" },
  { name: "source_commit", type: "varchar" },
  { name: "source_branch", type: "varchar" },
  { name: "source_dirty", type: "boolean" },
  { name: "config_hash", type: "varchar" },
];

/**
 * One row per experiment, one column per param (`params.optimizer.lr`) and metric
 * (`metrics.val.acc`), the current name and tags: the wide table Spark, pandas or DuckDB
 * users load. A param column is numeric or boolean when every value is, text otherwise.
 */
export async function experimentTable(store: ExperimentStore, only?: string[]): Promise<{ table: ExportTable } & ExportProblems> {
  const records: { base: ExportValue[]; params: Map<string, JsonValue>; metrics: Map<string, number | null> }[] = [];
  const { problems } = await eachLive(store, (id, exp, state) => {
    const m = exp.meta;
    const configHash = makeObject("blob", Buffer.from(canonicalJson(exp.config)), store.repo.algo).id;
    records.push({
      base: [
        id,
        state.name,
        m.status,
        m.created_at,
        m.created_by.name,
        m.created_by.email,
        state.tags,
        m.message ?? null,
        m.duration_s ?? null,
        m.exit_code ?? null,
        m.source?.commit ?? null,
        m.source?.branch ?? null,
        m.source?.dirty ?? null,
        configHash,
      ],
      params: new Map(flattenParams(exp.config)),
      metrics: new Map(flattenMetrics(exp.results)),
    });
  }, only);
  const paramKeys = [...new Set(records.flatMap((r) => [...r.params.keys()]))].sort();
  const metricKeys = [...new Set(records.flatMap((r) => [...r.metrics.keys()]))].sort();
  const paramTypes = paramKeys.map((k) => paramType(records.map((r) => r.params.get(k))));
  const columns: ExportColumn[] = [
    ...BASE,
    ...paramKeys.map((k, i) => ({ name: `params.${k}`, type: paramTypes[i]! })),
    ...metricKeys.map((k) => ({ name: `metrics.${k}`, type: "double" as const })),
  ];
  const rows = records.map((r) => [
    ...r.base,
    ...paramKeys.map((k, i) => paramValue(r.params.get(k), paramTypes[i]!)),
    ...metricKeys.map((k) => r.metrics.get(k) ?? null),
  ]);
  return { table: { columns, rows }, problems };
}

function paramType(values: (JsonValue | undefined)[]): ExportColumn["type"] {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length > 0 && present.every((v) => typeof v === "number")) return "double";
  if (present.length > 0 && present.every((v) => typeof v === "boolean")) return "boolean";
  return "varchar";
}

function paramValue(v: JsonValue | undefined, type: ExportColumn["type"]): ExportValue {
  if (v === undefined || v === null) return null;
  if (type !== "varchar") return v as number | boolean;
  // bigint seeds stay exact as text; objects and arrays as canonical JSON
  return typeof v === "string" ? v : canonicalJson(v).trimEnd();
}

import { isFullId } from "../core/ids.js";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidInputError, NotFoundError } from "../core/errors.js";
import { SCHEMA_VERSION, checkName, checkTag, validateExperiment, type Experiment, type ExperimentMeta, type Series, type Status } from "../core/experiment.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import { formatCreatedAt } from "../core/time.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { checksumPaths } from "./checksums.js";

/**
 * Import an MLflow file store (`mlruns/`): <experiment id>/meta.yaml, and per run
 * <run id>/meta.yaml, params/<key>, metrics/<key> ("timestamp value step" lines),
 * tags/<key> and artifacts/. Keys with slashes are nested folders.
 */
export interface MlflowImportSummary {
  runs: number;
  created: number;
  existing: number;
  /** Runs left out on purpose (deleted in MLflow). */
  skipped: { run: string; reason: string }[];
  /** Runs with missing or malformed files: reported, not imported. */
  bad: { run: string; reason: string }[];
}

export interface MlflowImportOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** MLflow's RunStatus enum, as an int (file store) or its name. */
const STATUS: Record<string, Status> = {
  "1": "interrupted", RUNNING: "interrupted",
  "2": "interrupted", SCHEDULED: "interrupted",
  "3": "completed", FINISHED: "completed",
  "4": "failed", FAILED: "failed",
  "5": "interrupted", KILLED: "interrupted",
};

const NOT_RUNS = new Set(["models", "traces", "datasets", "tags"]);

export async function importMlflow(store: ExperimentStore, path: string, options: MlflowImportOptions = {}): Promise<MlflowImportSummary> {
  const root = await findRoot(path);
  const summary: MlflowImportSummary = { runs: 0, created: 0, existing: 0, skipped: [], bad: [] };
  const runs: { dir: string; label: string; experiment: MlflowExperiment }[] = [];
  for (const experiment of await readExperiments(root, summary)) {
    for (const runDir of await subdirs(experiment.dir)) {
      if (NOT_RUNS.has(runDir)) continue;
      runs.push({ dir: join(experiment.dir, runDir), label: `${experiment.id}/${runDir}`, experiment });
    }
  }
  summary.runs = runs.length;
  const batchSize = options.batchSize ?? 500;
  let batch: Experiment[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    for (const o of await store.write(batch)) o.status === "created" ? summary.created++ : summary.existing++;
    batch = [];
  };
  for (const [i, run] of runs.entries()) {
    try {
      const exp = await readRun(run.dir, run.experiment);
      if (exp === "deleted") summary.skipped.push({ run: run.label, reason: "deleted in MLflow" });
      else {
        validateExperiment(exp);
        batch.push(exp);
      }
    } catch (e) {
      if (!(e instanceof InvalidInputError) && !(e instanceof NotFoundError)) throw e;
      summary.bad.push({ run: run.label, reason: e.message });
    }
    if (batch.length >= batchSize) await flush();
    options.onProgress?.(i + 1, runs.length);
  }
  await flush();
  return summary;
}

/** The store itself, or a project folder holding `mlruns/`. */
async function findRoot(path: string): Promise<string> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new NotFoundError(`${path} does not exist; give the path of an MLflow file store (the mlruns folder)`);
  if (!st.isDirectory()) throw new InvalidInputError(`${path} is not a folder; give the path of an MLflow file store (the mlruns folder)`);
  const inner = join(path, "mlruns");
  if ((await stat(inner).catch(() => null))?.isDirectory()) return inner;
  return path;
}

interface MlflowExperiment {
  id: string;
  name: string | null;
  dir: string;
}

async function readExperiments(root: string, summary: MlflowImportSummary): Promise<MlflowExperiment[]> {
  const out: MlflowExperiment[] = [];
  for (const name of await subdirs(root)) {
    if (name.startsWith(".") || NOT_RUNS.has(name)) continue;
    const dir = join(root, name);
    const text = await readFile(join(dir, "meta.yaml"), "utf8").catch(() => null);
    if (text === null) continue; // not an experiment folder
    let meta: Record<string, unknown>;
    try {
      meta = yamlObject(text, `${name}/meta.yaml`);
    } catch (e) {
      summary.bad.push({ run: name, reason: (e as Error).message });
      continue;
    }
    if (meta["lifecycle_stage"] === "deleted") {
      summary.skipped.push({ run: name, reason: "experiment deleted in MLflow" });
      continue;
    }
    out.push({ id: String(meta["experiment_id"] ?? name), name: typeof meta["name"] === "string" ? meta["name"] : null, dir });
  }
  if (out.length === 0 && summary.bad.length === 0 && summary.skipped.length === 0) {
    throw new InvalidInputError(`${root} is not an MLflow file store: no <experiment id>/meta.yaml inside`);
  }
  return out;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function yamlObject(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    throw new InvalidInputError(`${where} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidInputError(`${where} is not a YAML mapping`);
  return v as Record<string, unknown>;
}

/** Files under a folder as key -> text, keys with "/" for nested folders (MLflow's keys). */
async function keyedFiles(dir: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const key = prefix + e.name;
    if (e.isDirectory()) for (const [k, v] of await keyedFiles(join(dir, e.name), `${key}/`)) out.set(k, v);
    else if (e.isFile()) out.set(key, await readFile(join(dir, e.name), "utf8"));
  }
  return out;
}

async function readRun(dir: string, experiment: MlflowExperiment): Promise<Experiment | "deleted"> {
  const text = await readFile(join(dir, "meta.yaml"), "utf8").catch(() => null);
  if (text === null) throw new InvalidInputError("meta.yaml is missing");
  const meta = yamlObject(text, "meta.yaml");
  if (meta["lifecycle_stage"] === "deleted") return "deleted";
  const runId = String(meta["run_id"] ?? meta["run_uuid"] ?? "");
  const start = meta["start_time"];
  if (typeof start !== "number" || !Number.isFinite(start)) throw new InvalidInputError("meta.yaml has no start_time");
  const [params, metricFiles, tags] = await Promise.all([
    keyedFiles(join(dir, "params")),
    keyedFiles(join(dir, "metrics")),
    keyedFiles(join(dir, "tags")),
  ]);
  const { results, series } = readMetrics(metricFiles);
  const end = typeof meta["end_time"] === "number" ? meta["end_time"] : null;
  const user = String(meta["user_id"] || tags.get("mlflow.user") || "unknown");
  const commit = tags.get("mlflow.source.git.commit")?.trim() ?? "";
  const m: ExperimentMeta = {
    schema: SCHEMA_VERSION,
    created_at: formatCreatedAt(start),
    created_by: { name: user.replace(/[<>\n\u0000]/g, ""), email: "" },
    status: STATUS[String(meta["status"])] ?? "interrupted",
    source: {
      commit: isFullId(commit) ? commit : null,
      branch: tags.get("mlflow.source.git.branch") ?? null,
      dirty: false,
    },
  };
  const name = validOr(String(meta["run_name"] || tags.get("mlflow.runName") || ""), checkName);
  if (name) m.name = name;
  const note = tags.get("mlflow.note.content");
  if (note) m.message = note;
  const ourTags = userTags(tags);
  if (ourTags.length) m.tags = ourTags;
  if (end !== null && end >= start) m.duration_s = (end - start) / 1000;
  m["mlflow"] = {
    experiment_id: experiment.id,
    experiment_name: experiment.name,
    run_id: runId,
    artifact_uri: typeof meta["artifact_uri"] === "string" ? meta["artifact_uri"] : null,
    tags: Object.fromEntries(tags),
  };
  const exp: Experiment = { meta: m, config: readParams(params), results, series, files: {} };
  const outputs = await artifactSums(dir);
  if (outputs) exp.outputs = outputs;
  return exp;
}

function validOr(value: string, check: (v: string) => void): string | undefined {
  if (!value) return undefined;
  try {
    check(value);
    return value;
  } catch {
    return undefined;
  }
}

/** MLflow tags that are not its own: `key` for flag-like ones, `key=value` when that is a valid tag. */
function userTags(tags: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of tags) {
    if (k.startsWith("mlflow.")) continue;
    const tag = v === "" || /^true$/i.test(v) ? k : `${k}=${v}`;
    const ok = validOr(tag, checkTag);
    if (ok) out.push(ok);
  }
  return [...new Set(out)].sort();
}

/**
 * MLflow params are strings. Numbers and booleans become JSON values when nothing is lost
 * ("0.001", "64", "1e-05", "True"); "1.10" or "007" stay text.
 */
function readParams(params: Map<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [k, raw] of params) out[k] = paramValue(raw);
  return out;
}

function paramValue(raw: string): JsonValue {
  if (raw === "True" || raw === "true") return true;
  if (raw === "False" || raw === "false") return false;
  if (raw === "None") return null;
  if (/^-?(0|[1-9]\d*)$/.test(raw)) return Number.isSafeInteger(Number(raw)) ? Number(raw) : BigInt(raw);
  // Python prints floats as "0.5", "1.0" or "1e-05": those are numbers; "1.10" is a version string.
  if (/^-?(0|[1-9]\d*)(\.(0|\d*[1-9]))?([eE][+-]?\d+)?$/.test(raw) && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}

/** "timestamp value step" lines (older stores: no step); the final value is the one at the last step. */
function readMetrics(files: Map<string, string>): { results: JsonObject; series: Record<string, Series> } {
  const results: JsonObject = {};
  const series: Record<string, Series> = {};
  for (const [key, text] of files) {
    const points: { t: number; v: number; s: number }[] = [];
    for (const [i, line] of text.split("\n").entries()) {
      if (!line.trim()) continue;
      const parts = line.trim().split(/\s+/);
      const t = Number(parts[0]);
      const v = metricNumber(parts[1]);
      const s = parts[2] === undefined ? 0 : Number(parts[2]);
      if (parts.length < 2 || parts.length > 3 || !Number.isFinite(t) || v === undefined || !Number.isInteger(s)) {
        throw new InvalidInputError(`metrics/${key} line ${i + 1} is not "timestamp value step": ${JSON.stringify(line.slice(0, 80))}`);
      }
      points.push({ t, v, s });
    }
    if (points.length === 0) continue;
    const last = points.reduce((a, b) => (b.s > a.s || (b.s === a.s && b.t >= a.t) ? b : a));
    results[key] = last.v;
    if (points.length > 1) series[key] = { step: points.map((p) => p.s), value: points.map((p) => p.v), time: points.map((p) => p.t) };
  }
  return { results, series };
}

function metricNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Checksums of the run's artifacts as outputs.json; the files themselves stay where they are. */
async function artifactSums(dir: string): Promise<JsonObject | undefined> {
  const artifacts = join(dir, "artifacts");
  if (!(await stat(artifacts).catch(() => null))?.isDirectory()) return undefined;
  const sums = await checksumPaths([artifacts], dir);
  return Object.keys(sums).length > 0 ? (sums as unknown as JsonObject) : undefined;
}

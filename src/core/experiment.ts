import { isIdPrefix } from "./ids.js";
import { InvalidInputError } from "./errors.js";
import {
  canonicalJson,
  childPath,
  decodeNonFinite,
  holdsScalar,
  mapScalars,
  isJsonObject,
  parseJson,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
} from "./json.js";
import { checkMediaFiles } from "./media.js";
import { validate, type SchemaName } from "./schema.js";

export const SCHEMA_VERSION = 1;
export const STATUSES = ["completed", "failed", "interrupted"] as const;
export type Status = (typeof STATUSES)[number];

export interface Person extends JsonObject {
  name: string;
  email: string;
}

export interface Source extends JsonObject {
  commit: string | null;
  branch: string | null;
  dirty: boolean;
}

/**
 * A plain slash path inside a tree ("sub/dir/file"): the value itself, or undefined when it
 * is not a string, is empty, absolute, or has an empty, ".", ".." or control-character part,
 * so that joining it to a folder never leaves that folder. What `source.path` (where in the
 * work tree a command ran, absent at the top) and an experiment's file paths must be.
 */
export function treePath(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const parts = value.split("/");
  return parts.every((p) => p !== "" && p !== "." && p !== ".." && !CONTROL.test(p)) ? value : undefined;
}

/** experiment.json. Unknown keys are kept as they are (forward compatibility). */
export type ExperimentMeta = JsonObject & {
  schema: number;
  created_at: string;
  created_by: Person;
  status: Status;
  name?: string;
  message?: string;
  tags?: string[];
  command?: string[];
  exit_code?: number | null;
  duration_s?: number;
  parents?: string[];
  source?: Source;
};

/** One metric's history as parallel arrays; values are numbers again (NaN decoded). */
export interface Series {
  step: number[];
  value: (number | null)[];
  time?: (number | string)[];
}

/** Everything an experiment's tree holds, as values. */
export interface Experiment {
  meta: ExperimentMeta;
  config: JsonObject;
  /** Final metrics with NaN and infinities as numbers. */
  results: JsonObject;
  env?: JsonObject;
  inputs?: JsonObject;
  outputs?: JsonObject;
  series: Record<string, Series>;
  /** Every other file of the tree (patch.diff, log.txt, artifacts/...), byte for byte. */
  files: Record<string, Uint8Array>;
}

export interface TreeFile {
  path: string;
  data: Uint8Array;
}

const JSON_FILES: { key: "env" | "inputs" | "outputs"; file: string; schema: SchemaName }[] = [
  { key: "env", file: "env.json", schema: "env" },
  { key: "inputs", file: "inputs.json", schema: "files" },
  { key: "outputs", file: "outputs.json", schema: "files" },
];
const RESERVED = new Set(["experiment.json", "config.json", "results.json", "env.json", "inputs.json", "outputs.json"]);

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Text that was not valid UTF-8 where it came from (a file, stdin, the command line) reaches
 * us with U+FFFD in place of the bad bytes: refused rather than stored as that.
 */
export function checkUtf8Text(text: string, what: string): void {
  if (text.includes("\uFFFD")) {
    throw new InvalidInputError(`the ${what} holds U+FFFD, the mark of bytes that are not valid UTF-8; give it as UTF-8 text`);
  }
}

export function checkName(name: string, what = "name"): void {
  if (name.length === 0) throw new InvalidInputError(`the ${what} is empty; give a non-empty ${what}`);
  checkUtf8Text(name, what);
  if (CONTROL.test(name)) {
    throw new InvalidInputError(`the ${what} ${JSON.stringify(name)} contains control characters; use printable text`);
  }
  if (name.length > 200) throw new InvalidInputError(`the ${what} is longer than 200 characters`);
}

/**
 * A name being given now (record, run, rename): also refused when it reads as an id prefix
 * (4+ hex digits), since `show abcd` then could not tell the name from another experiment's
 * id. A stored name of that form from another writer is still read.
 */
export function checkNewName(name: string): void {
  checkName(name);
  if (isIdPrefix(name)) {
    throw new InvalidInputError(`the name '${name}' reads as an experiment id prefix (hex digits): add a letter or a dash, e.g. 'run-${name}'`);
  }
}

export function checkTag(tag: string): void {
  checkName(tag, "tag");
  if (/[\s,]/.test(tag) || tag.length > 100) {
    throw new InvalidInputError(`the tag ${JSON.stringify(tag)} must be at most 100 characters without spaces or commas`);
  }
}

/** System metrics (CPU, memory, GPUs sampled over time) are the series named `system/...`. */
const SYSTEM_PREFIX = "system/";

export function isSystemSeries(metric: string): boolean {
  return metric.startsWith(SYSTEM_PREFIX) && metric.length > SYSTEM_PREFIX.length;
}

/**
 * Series file names: a metric path, with '%' and '/' escaped so one metric is one file;
 * system metrics keep their slashes as folders (`series/system/gpu0/util_pct.json`).
 */
function seriesFileName(metric: string): string {
  if (metric === "" || metric === "." || metric === ".." || metric.includes("\u0000")) {
    throw new InvalidInputError(`${JSON.stringify(metric)} cannot name a metric series`);
  }
  const escape = (part: string): string => part.replace(/%/g, "%25").replace(/\//g, "%2F");
  if (isSystemSeries(metric)) {
    const parts = metric.split("/");
    if (parts.every((p) => p !== "" && p !== "." && p !== "..")) return `series/${parts.map(escape).join("/")}.json`;
  }
  return `series/${escape(metric)}.json`;
}

export function seriesNameFromPath(path: string): string | undefined {
  const m = /^series\/(.+)\.json$/.exec(path);
  if (!m) return undefined;
  return m[1]!.replace(/%2F/gi, "/").replace(/%25/g, "%");
}

function checkFilePath(path: string, stored: boolean): void {
  if (treePath(path) === undefined || path.split("/").includes(".git")) {
    throw new InvalidInputError(`${JSON.stringify(path)} is not a usable file path inside an experiment`);
  }
  // A tree read back may hold what no writer should add, another tool's series/loss.csv: kept.
  const storedExtra = stored && path.startsWith("series/") && !path.endsWith(".json");
  if (RESERVED.has(path) || (path.startsWith("series/") && !storedExtra)) {
    throw new InvalidInputError(`${path} is written by git-exp itself and cannot be given as an extra file`);
  }
}

/**
 * Validate every part against its schema; throws naming the file and JSON path. With
 * `stored`, the extra files are as a stored tree holds them (see validateReadable).
 */
export function validateExperiment(exp: Experiment, stored = false): void {
  validate("experiment", exp.meta, "experiment.json");
  if (exp.meta.name !== undefined) checkName(exp.meta.name);
  for (const tag of exp.meta.tags ?? []) checkTag(tag);
  if (!isJsonObject(exp.config)) throw new InvalidInputError("config.json: the config must be a JSON object");
  validate("config", exp.config, "config.json");
  checkMetricValues(exp.results, "$", "results.json");
  validate("results", encodeMetrics(exp.results), "results.json");
  for (const { key, file, schema } of JSON_FILES) {
    const v = exp[key];
    if (v !== undefined) validate(schema, v, file);
  }
  for (const [metric, s] of Object.entries(exp.series)) {
    const file = seriesFileName(metric);
    validate("series", encodeMetrics(s as unknown as JsonObject), file);
    if (s.step.length !== s.value.length || (s.time && s.time.length !== s.step.length)) {
      throw new InvalidInputError(`${file}: step, value and time must have the same length`);
    }
  }
  for (const path of Object.keys(exp.files)) checkFilePath(path, stored);
  checkMediaFiles(exp.files);
}

/** Find the first metric that is not a number, for an error naming its exact path. */
function checkMetricValues(v: JsonObject, path: string, file: string): void {
  for (const [k, x] of Object.entries(v)) {
    const p = childPath(path, k);
    if (isJsonObject(x)) checkMetricValues(x, p, file);
    else if (typeof x !== "number" && typeof x !== "bigint" && x !== null) {
      throw new InvalidInputError(`${file}: ${p} must be a number (or NaN, Infinity, null), not ${JSON.stringify(x)}`, { file, path: p });
    }
  }
}

/**
 * The check for reading what another writer stored: the same schemas, but any RFC 3339
 * time is accepted (returned normalised to UTC milliseconds), since a reader should take
 * `2026-01-02T03:04:05Z` or `+02:00` rather than drop the experiment.
 */
export function validateReadable(exp: Experiment): Experiment {
  const at = exp.meta.created_at;
  const ms = typeof at === "string" && /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(at) ? Date.parse(at) : NaN;
  const normalised = Number.isNaN(ms) ? exp : { ...exp, meta: { ...exp.meta, created_at: new Date(ms).toISOString() } };
  validateExperiment(normalised, true);
  return normalised;
}

/** Metrics as the schemas see them: NaN and infinities as the strings the files hold. */
function encodeMetrics(v: JsonObject): JsonObject {
  return encodeNonFinite(v) as JsonObject;
}

function encodeNonFinite(v: JsonValue): JsonValue {
  if (!holdsScalar(v, isNonFinite)) return v;
  return mapScalars(v, (x) => (typeof x !== "number" || Number.isFinite(x) ? x : Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity"));
}

const isNonFinite = (x: JsonPrimitive): boolean => typeof x === "number" && !Number.isFinite(x);

const encoder = new TextEncoder();

/** The canonical files of an experiment's tree, in no particular order. */
export function experimentFiles(exp: Experiment): TreeFile[] {
  const out: TreeFile[] = [
    { path: "experiment.json", data: encoder.encode(canonicalJson(exp.meta, { source: "experiment.json" })) },
    { path: "config.json", data: encoder.encode(canonicalJson(exp.config, { source: "config.json" })) },
    { path: "results.json", data: encoder.encode(canonicalJson(exp.results, { nonFinite: "encode" })) },
  ];
  for (const { key, file } of JSON_FILES) {
    const v = exp[key];
    if (v !== undefined) out.push({ path: file, data: encoder.encode(canonicalJson(v, { source: file })) });
  }
  for (const [metric, s] of Object.entries(exp.series)) {
    out.push({ path: seriesFileName(metric), data: encoder.encode(canonicalJson(s, { nonFinite: "encode" })) });
  }
  for (const [path, data] of Object.entries(exp.files)) out.push({ path, data });
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A JSON file; with `nonFinite` (results, series) the strings "NaN", "Infinity" and
 * "-Infinity" become numbers. The walk that decodes them is skipped when the text cannot
 * hold one: most files, and a series is thousands of values.
 */
function parseMetrics(text: string, nonFinite: boolean, source: string): JsonValue {
  const v = parseJson(text, { allowNonFinite: nonFinite, source, duplicates: "last" });
  // An escaped spelling ("\u004eaN") is a string all the same: any escape means look.
  return nonFinite && (text.includes("NaN") || text.includes("Infinity") || text.includes("\\u")) ? decodeNonFinite(v) : v;
}

/**
 * Rebuild an experiment from its tree's files. Lenient where the format allows: only
 * experiment.json, config.json and results.json are required, unknown files are kept.
 */
export function experimentFromFiles(files: Map<string, Uint8Array>, id = "experiment"): Experiment {
  const json = (path: string, allowNonFinite = false): JsonValue | undefined => {
    const data = files.get(path);
    if (data === undefined) return undefined;
    return parseMetrics(decoder.decode(data), allowNonFinite, `${id}:${path}`);
  };
  const need = (path: string, allowNonFinite = false): JsonObject => {
    const v = json(path, allowNonFinite);
    if (!isJsonObject(v)) throw new InvalidInputError(`${id}: ${path} is missing or not a JSON object`);
    return v;
  };
  const exp: Experiment = {
    meta: need("experiment.json") as ExperimentMeta,
    config: need("config.json"),
    results: need("results.json", true),
    series: {},
    files: {},
  };
  for (const { key, file } of JSON_FILES) {
    const v = json(file);
    if (isJsonObject(v)) exp[key] = v;
  }
  for (const [path, data] of files) {
    if (RESERVED.has(path)) continue;
    const metric = seriesNameFromPath(path);
    if (metric !== undefined) {
      exp.series[metric] = parseMetrics(decoder.decode(data), true, `${id}:${path}`) as unknown as Series;
    } else exp.files[path] = data;
  }
  return exp;
}

/** Final metrics flattened to dotted key paths (`{"val": {"acc": 1}}` -> `val.acc`). */
export function flattenMetrics(results: JsonObject, prefix = ""): [string, number | null][] {
  const out: [string, number | null][] = [];
  for (const key of Object.keys(results).sort()) {
    const v = results[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (isJsonObject(v)) out.push(...flattenMetrics(v, path));
    else if (typeof v === "number") out.push([path, v]);
    else if (typeof v === "bigint") out.push([path, Number(v)]);
    else if (v === null) out.push([path, null]);
  }
  return out;
}

/** Config parameters flattened to dotted key paths; arrays stay one value. */
export function flattenParams(config: JsonObject, prefix = ""): [string, JsonValue][] {
  const out: [string, JsonValue][] = [];
  for (const key of Object.keys(config).sort()) {
    const v = config[key]!;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isJsonObject(v) && Object.keys(v).length > 0) out.push(...flattenParams(v, path));
    else out.push([path, v]);
  }
  return out;
}

/** The commit message of DESIGN.md section 1, derived from the content only. */
export function commitMessage(meta: ExperimentMeta, configHash: string): string {
  const title = meta.name ?? configHash.slice(0, 12);
  return `exp: ${title}\n\nConfig: ${configHash}\n`;
}

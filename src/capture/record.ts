import { InvalidInputError } from "../core/errors.js";
import {
  SCHEMA_VERSION,
  STATUSES,
  checkName,
  checkTag,
  flattenMetrics,
  flattenParams,
  type Experiment,
  type ExperimentMeta,
  type Series,
  type Source,
  type Status,
} from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject } from "../core/json.js";
import { experimentLimitProblem } from "../core/limits.js";
import { formatCreatedAt, parseGitDate } from "../core/time.js";
import type { ExperimentStore, WriteOutcome } from "../store/experiment-store.js";
import { checksumPaths, type FileSum } from "./checksums.js";
import { captureIdentity, captureSource } from "./git-state.js";
import { enforceConfigSchema } from "./rules-file.js";

export interface RecordInput {
  config: JsonObject;
  results: JsonObject;
  series?: Record<string, Series>;
  name?: string;
  message?: string;
  tags?: string[];
  status?: Status;
  command?: string[];
  /** Files or directories the run read / wrote: checksummed into inputs.json / outputs.json. */
  inputs?: string[];
  outputs?: string[];
  /** Extra experiment.json keys and files, as a document read from stdin may carry. */
  meta?: JsonObject;
  env?: JsonObject;
  files?: Record<string, Uint8Array>;
  /** Checksums already computed (with a cache), used instead of `inputs` / `outputs`. */
  inputSums?: Record<string, FileSum>;
  outputSums?: Record<string, FileSum>;
  /** The code state when the run started; captured now when absent. */
  source?: Source;
  /** When the run started (epoch ms); GIT_AUTHOR_DATE still wins, as for a commit. */
  startedAt?: number;
  /** Process environment: GIT_AUTHOR_DATE fixes created_at as it fixes a commit date. */
  environ?: NodeJS.ProcessEnv;
}

/** When an experiment was made: GIT_AUTHOR_DATE when set, else now. */
function createdAtNow(environ: NodeJS.ProcessEnv = process.env, now = Date.now()): string {
  const fixed = environ["GIT_AUTHOR_DATE"];
  return formatCreatedAt(fixed ? parseGitDate(fixed) : now);
}

const encoder = new TextEncoder();

/** Check the parts a user gave before any git work happens. */
function checkInput(input: RecordInput): void {
  if (!isJsonObject(input.config)) throw new InvalidInputError("the config must be a JSON object");
  if (!isJsonObject(input.results)) throw new InvalidInputError("the results must be a JSON object");
  // First: what follows walks the values, and must never meet one past the limits.
  const tooLarge = experimentLimitProblem(
    new Map([
      ["config.json", encoder.encode(canonicalJson(input.config, { source: "config.json" }))],
      ["results.json", encoder.encode(canonicalJson(input.results, { nonFinite: "encode", source: "results.json" }))],
    ]),
  );
  if (tooLarge) throw new InvalidInputError(`the experiment is past the limits: ${tooLarge}`);
  checkKeyPaths("config", flattenParams(input.config).map(([k]) => k));
  checkKeyPaths("results", flattenMetrics(input.results).map(([k]) => k));
  if (input.name !== undefined) checkName(input.name);
  for (const t of input.tags ?? []) checkTag(t);
  if (input.status !== undefined && !STATUSES.includes(input.status)) {
    throw new InvalidInputError(`status must be one of ${STATUSES.join(", ")}`);
  }
}

/**
 * `{"a": {"b": 1}, "a.b": 2}` names the param a.b twice: every query would pick one at
 * random, so it is refused when recorded (another writer's such experiment is still read).
 */
function checkKeyPaths(part: string, keys: string[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new InvalidInputError(`${part}: the key path ${k} is given twice, as nested groups and as a key with a dot in it; keep one`);
    seen.add(k);
  }
}

/** Build the experiment a record would write, capturing identity, time and code state. */
async function buildExperiment(store: ExperimentStore, input: RecordInput): Promise<Experiment> {
  checkInput(input);
  await enforceConfigSchema(store.repo, input.config);
  const base = store.repo.workTree ?? store.repo.cwd;
  const [createdBy, source, inputs, outputs] = await Promise.all([
    captureIdentity(store.repo),
    input.source ?? captureSource(store.repo),
    input.inputSums ?? (input.inputs?.length ? checksumPaths(input.inputs, base) : undefined),
    input.outputSums ?? (input.outputs?.length ? checksumPaths(input.outputs, base) : undefined),
  ]);
  const meta: ExperimentMeta = {
    ...input.meta,
    schema: SCHEMA_VERSION,
    created_at: createdAtNow(input.environ, input.startedAt),
    created_by: createdBy,
    status: input.status ?? "completed",
    source,
  };
  if (input.name !== undefined) meta.name = input.name;
  if (input.message !== undefined) meta.message = input.message;
  if (input.tags?.length) meta.tags = [...new Set(input.tags)];
  if (input.command) meta.command = input.command;
  const exp: Experiment = { meta, config: input.config, results: input.results, series: input.series ?? {}, files: input.files ?? {} };
  if (input.env) exp.env = input.env;
  if (inputs) exp.inputs = inputs;
  if (outputs) exp.outputs = outputs;
  return exp;
}

export interface RecordResult extends WriteOutcome {
  experiment: Experiment;
}

/** Record one experiment: validate, write objects, create the ref. Idempotent. */
export async function record(store: ExperimentStore, input: RecordInput): Promise<RecordResult> {
  const experiment = await buildExperiment(store, input);
  const [outcome] = await store.write([experiment]);
  return { ...outcome!, experiment };
}

/**
 * Fill what a hand-written document may leave out (schema, created_at, created_by, status)
 * so `record -` accepts documents from other tools; what the document says is kept.
 */
export async function completeDocument(
  store: ExperimentStore,
  exp: Experiment,
  options: { environ?: NodeJS.ProcessEnv; captureSource: boolean },
): Promise<Experiment> {
  const meta = { ...exp.meta } as ExperimentMeta;
  meta.schema ??= SCHEMA_VERSION;
  meta.created_at ??= createdAtNow(options.environ);
  meta.status ??= "completed";
  if (meta.created_by === undefined) meta.created_by = await captureIdentity(store.repo);
  // A new record captures the work tree; an import keeps exactly what the document says.
  if (meta.source === undefined && options.captureSource) meta.source = await captureSource(store.repo);
  return { ...exp, meta };
}

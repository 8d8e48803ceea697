import { InvalidInputError } from "./errors.js";
import { canonicalJson, decodeNonFinite, isJsonObject, type JsonObject, type JsonValue } from "./json.js";
import { validate } from "./schema.js";
import type { Experiment, ExperimentMeta, Series } from "./experiment.js";

/**
 * An experiment as one JSON document: the unit of `export`, `import` and `record -`.
 * Every file of the tree has a place in it, so export -> import -> export is lossless.
 */
export function experimentToDocument(exp: Experiment, id?: string): JsonObject {
  const doc: JsonObject = {};
  if (id !== undefined) doc["id"] = id;
  doc["experiment"] = exp.meta;
  doc["config"] = exp.config;
  doc["results"] = exp.results;
  if (exp.env) doc["env"] = exp.env;
  if (exp.inputs) doc["inputs"] = exp.inputs;
  if (exp.outputs) doc["outputs"] = exp.outputs;
  if (Object.keys(exp.series).length > 0) doc["series"] = exp.series as unknown as JsonObject;
  const files = Object.entries(exp.files);
  if (files.length > 0) {
    const out: JsonObject = {};
    for (const [path, data] of files) out[path] = encodeFile(data);
    doc["files"] = out;
  }
  return doc;
}

/** One NDJSON line: canonical, so the same experiment always exports the same bytes. */
export function documentLine(doc: JsonObject): string {
  return canonicalJson(doc, { nonFinite: "encode" });
}

// ignoreBOM keeps a leading byte-order mark in the text: a file must come back byte for byte.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function encodeFile(data: Uint8Array): JsonObject {
  try {
    return { text: strictUtf8.decode(data) };
  } catch {
    return { base64: Buffer.from(data).toString("base64") };
  }
}

/** Read a document back into an experiment; throws InvalidInputError naming the part at fault. */
export function documentToExperiment(doc: JsonValue, source = "document"): Experiment {
  if (!isJsonObject(doc)) throw new InvalidInputError(`${source}: an experiment document must be a JSON object`);
  validate("document", doc, source);
  const exp: Experiment = {
    meta: doc["experiment"] as ExperimentMeta,
    config: doc["config"] as JsonObject,
    results: decodeNonFinite(doc["results"]!) as JsonObject,
    series: {},
    files: {},
  };
  for (const key of ["env", "inputs", "outputs"] as const) {
    const v = doc[key];
    if (isJsonObject(v)) exp[key] = v;
  }
  const series = doc["series"];
  if (isJsonObject(series)) {
    for (const [metric, s] of Object.entries(series)) exp.series[metric] = decodeNonFinite(s) as unknown as Series;
  }
  const files = doc["files"];
  if (isJsonObject(files)) {
    for (const [path, f] of Object.entries(files)) {
      const entry = f as JsonObject;
      exp.files[path] =
        typeof entry["text"] === "string"
          ? new TextEncoder().encode(entry["text"])
          : new Uint8Array(Buffer.from(String(entry["base64"]), "base64"));
    }
  }
  return exp;
}

import { InvalidInputError } from "../core/errors.js";
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from "../core/json.js";
import { readText } from "./load.js";

/** One `-p key.path=value` option: the values it sweeps over (one unless comma-separated). */
export interface ParamAxis {
  path: string[];
  values: JsonValue[];
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Type a value the way a user means it on the command line: numbers, true/false, null,
 * JSON arrays, objects and quoted strings; anything else is a string.
 */
export function parseParamValue(text: string): JsonValue {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t === "null") return null;
  // JSON's number syntax only: "007" or "1." stay strings (ids, versions)
  if (NUMBER.test(t)) return parseJson(t);
  if (/^[[{"]/.test(t)) {
    try {
      return parseJson(t);
    } catch {
      // not JSON after all: keep the text as a string
    }
  }
  return text;
}

/** Split on commas that are not escaped with a backslash and not inside [...], {...} or "...". */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && text[i + 1] === ",") {
      cur += ",";
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (!quoted && (c === "[" || c === "{")) {
      depth++;
      cur += c;
    } else if (!quoted && (c === "]" || c === "}")) {
      depth--;
      cur += c;
    } else if (c === "," && depth === 0 && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseKeyPath(key: string, where: string): string[] {
  const path = key.split(".");
  if (path.some((p) => p.trim() === "")) {
    throw new InvalidInputError(`${where}: '${key}' is not a key path; write it like lr or optimizer.lr`);
  }
  return path;
}

/** `-p lr=0.1,0.01` -> {path: ["lr"], values: [0.1, 0.01]}. */
export function parseParamOption(option: string): ParamAxis {
  const eq = option.indexOf("=");
  if (eq <= 0) throw new InvalidInputError(`-p ${option}: write a parameter as key=value (or key=v1,v2 for a sweep)`);
  const path = parseKeyPath(option.slice(0, eq), `-p ${option}`);
  const texts = splitValues(option.slice(eq + 1));
  if (texts.length > 1 && texts.some((t) => t.trim() === "")) {
    throw new InvalidInputError(`-p ${option}: the sweep list has an empty value; remove the stray comma, or write "" for an empty string`);
  }
  return { path, values: texts.map(parseParamValue) };
}

/** Set a value at a key path, creating groups on the way; a number in the way is an error. */
export function setPath(config: JsonObject, path: string[], value: JsonValue): void {
  let node = config;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (next === undefined) node = node[key] = {};
    else if (isJsonObject(next)) node = next;
    else {
      throw new InvalidInputError(
        `cannot set ${path.join(".")}: ${path.slice(0, i + 1).join(".")} is already ${JSON.stringify(next)}, not a group`,
      );
    }
  }
  node[path[path.length - 1]!] = value;
}

export { getPath } from "../core/json.js";

export function cloneJson<T extends JsonValue>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneJson(x);
    return out as T;
  }
  return v;
}

/**
 * A config file: JSON, or YAML when the name ends in .yaml/.yml (as DVC's params.yaml).
 * The YAML parser loads only when a YAML file is given.
 */
export async function loadConfigFile(path: string, what = "config"): Promise<JsonObject> {
  const text = await readText(path, what);
  let value: JsonValue;
  if (/\.ya?ml$/i.test(path)) value = await parseYaml(text, path);
  else value = parseJson(text, { source: path });
  if (!isJsonObject(value)) throw new InvalidInputError(`${path}: the ${what} must be a mapping of names to values`);
  return value;
}

async function parseYaml(text: string, path: string): Promise<JsonValue> {
  const { parse } = await import("yaml");
  let v: unknown;
  try {
    // intAsBigInt keeps seeds such as 2^63 + 1 exact, as the JSON parser does.
    v = parse(text, { intAsBigInt: true, schema: "core" });
  } catch (e) {
    throw new InvalidInputError(`${path}: invalid YAML: ${(e as Error).message.split("\n")[0]}`, { file: path }, { cause: e });
  }
  return toJsonValue(v ?? {}, path, "$");
}

function toJsonValue(v: unknown, file: string, at: string): JsonValue {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new InvalidInputError(`${file}: ${v} at ${at} is not allowed in a config`, { file, path: at });
  }
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x, i) => toJsonValue(x, file, `${at}[${i}]`));
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(x, file, `${at}.${k}`);
    return out;
  }
  throw new InvalidInputError(`${file}: a ${typeof v} at ${at} cannot be a config value`, { file, path: at });
}

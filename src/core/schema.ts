import { createRequire } from "node:module";
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from "ajv";
import experimentSchema from "../../schemas/experiment.schema.json" with { type: "json" };
import configSchema from "../../schemas/config.schema.json" with { type: "json" };
import resultsSchema from "../../schemas/results.schema.json" with { type: "json" };
import seriesSchema from "../../schemas/series.schema.json" with { type: "json" };
import envSchema from "../../schemas/env.schema.json" with { type: "json" };
import filesSchema from "../../schemas/files.schema.json" with { type: "json" };
import documentSchema from "../../schemas/document.schema.json" with { type: "json" };
import rulesSchema from "../../schemas/rules.schema.json" with { type: "json" };
import { InvalidInputError } from "./errors.js";
import { toPlainJson, type JsonValue } from "./json.js";

const SCHEMAS = {
  experiment: experimentSchema,
  config: configSchema,
  results: resultsSchema,
  series: seriesSchema,
  env: envSchema,
  files: filesSchema,
  document: documentSchema,
  rules: rulesSchema,
} as const;
export type SchemaName = keyof typeof SCHEMAS;

let ajv: AjvClass | undefined;
// ajv costs ~50 ms to load: required on first validation, not at start-up.
const require = createRequire(import.meta.url);
const compiled = new Map<SchemaName, ValidateFunction>();

type Precompiled = Partial<Record<SchemaName, ValidateFunction>>;
let precompiled: Precompiled | null | undefined;

/**
 * The build compiles every schema to standalone code (schemas/compile.mjs); loading that
 * costs ~2 ms where the ajv compiler costs ~100 ms. Running from source, ajv compiles.
 */
function loadPrecompiled(): Precompiled | null {
  if (precompiled === undefined) {
    try {
      precompiled = require("../../schemas/validators.cjs") as Precompiled;
    } catch {
      precompiled = null;
    }
  }
  return precompiled;
}

function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name) ?? loadPrecompiled()?.[name];
  if (!fn) {
    if (!ajv) {
      const { Ajv } = require("ajv") as typeof import("ajv");
      ajv = new Ajv({ allErrors: false, strict: false });
    }
    fn = ajv.compile(SCHEMAS[name]);
  }
  compiled.set(name, fn);
  return fn;
}

/** Throws InvalidInputError naming the file, the JSON path and what was expected. */
export function validate(name: SchemaName, value: JsonValue, file: string): void {
  const fn = validator(name);
  if (fn(toPlainJson(value))) return;
  const err = fn.errors?.[0];
  throw new InvalidInputError(`${file}: ${describe(err, name)}`, { file, path: jsonPath(err) });
}

function jsonPath(err: ErrorObject | undefined): string {
  if (!err) return "$";
  const parts = err.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  return "$" + parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join("");
}

function describe(err: ErrorObject | undefined, name: SchemaName): string {
  if (!err) return "does not match its schema";
  const at = jsonPath(err);
  switch (err.keyword) {
    case "required":
      return `${at} is missing required property '${String(err.params["missingProperty"])}'`;
    case "enum":
      return `${at} must be one of ${JSON.stringify(err.params["allowedValues"])}`;
    case "const":
      return `${at} must be ${JSON.stringify(err.params["allowedValue"])}`;
    case "additionalProperties":
      return `${at} has an unknown property '${String(err.params["additionalProperty"])}'`;
    case "anyOf":
      if (name === "results" || name === "series") {
        return `${at} must be a number, "NaN", "Infinity", "-Infinity", null or a group of metrics`;
      }
      return `${at} ${err.message ?? "is invalid"}`;
    default:
      return `${at} ${err.message ?? "is invalid"}`;
  }
}

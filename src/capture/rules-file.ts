import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv";
import { InvalidInputError } from "../core/errors.js";
import { parseJson, toPlainJson, type JsonObject } from "../core/json.js";
import { DEFAULT_REPEAT_KEYS, RULES_FILE, parseRules, type Rules } from "../core/rules.js";
import type { Repository } from "../store/repository.js";

/** gitexp.json at the root of the work tree, or undefined when there is none. */
export async function loadRulesFile(repo: Repository, path?: string): Promise<Rules | undefined> {
  const file = path ?? (repo.workTree ? join(repo.workTree, RULES_FILE) : undefined);
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && path === undefined) return undefined;
    throw new InvalidInputError(`cannot read the rules file ${file}: ${(e as Error).message}`);
  }
  return parseRules(parseJson(text, { source: file }), file);
}

/** The keys that tell repeats apart: gitexp.json `repeat_keys`, else seed. */
export async function repeatKeysOf(repo: Repository): Promise<readonly string[]> {
  return (await loadRulesFile(repo))?.repeatKeys ?? DEFAULT_REPEAT_KEYS;
}

const require = createRequire(import.meta.url);

/**
 * The team's experiment template: when gitexp.json has a config_schema, a config that
 * breaks it is refused before anything is recorded.
 */
export async function enforceConfigSchema(repo: Repository, config: JsonObject): Promise<void> {
  const rules = await loadRulesFile(repo);
  if (!rules?.configSchema) return;
  const { Ajv } = require("ajv") as typeof import("ajv");
  const ajv = new Ajv({ allErrors: true, strict: false });
  let validate;
  try {
    validate = ajv.compile(rules.configSchema);
  } catch (e) {
    throw new InvalidInputError(`${RULES_FILE}: config_schema is not a valid JSON Schema: ${(e as Error).message}`);
  }
  if (validate(toPlainJson(config))) return;
  const errs = (validate.errors ?? []).slice(0, 3).map(describe).join("; ");
  throw new InvalidInputError(`the config breaks config_schema in ${RULES_FILE}: ${errs}`);
}

function describe(e: ErrorObject): string {
  const at = "$" + e.instancePath.replace(/\//g, ".");
  if (e.keyword === "required") return `${at} is missing '${String(e.params["missingProperty"])}'`;
  return `${at} ${e.message ?? "is invalid"}`;
}

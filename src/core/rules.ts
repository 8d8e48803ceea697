import type { Better } from "./choices.js";
import { InvalidInputError } from "./errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json.js";
import { validate } from "./schema.js";

/** One check of gitexp.json. */
export interface Rule {
  metric: string;
  min?: number;
  max?: number;
  max_drop?: number;
  max_drop_pct?: number;
  max_rise?: number;
  max_rise_pct?: number;
  alpha?: number;
}

export type Requirement = "head" | "range" | "none";

export interface Rules {
  checks: Rule[];
  require: Requirement;
  /** Name glob selecting the experiments the checks look at; undefined = all. */
  experiments?: string;
  configSchema?: JsonObject;
  /** Config keys that tell repeats apart; DEFAULT_REPEAT_KEYS when the file says nothing. */
  repeatKeys: string[];
  /** check counts dirty, failed and interrupted runs too. */
  includeDirty: boolean;
  /** `"slurm": {...}`: sbatch options `git exp run --on slurm` passes by default (checked by the executor). */
  slurm?: JsonObject;
  /** false: deletes from other clones are kept out of this one (`pull --no-deletes`). */
  acceptDeletes?: boolean;
  /** pull keeps only annotations added by commits with good signatures (`pull --verify-signatures`). */
  verifySignatures?: boolean;
}

export const RULES_FILE = "gitexp.json";

/** Repeats are runs whose configs are equal but for these keys (and the keys below them). */
export const DEFAULT_REPEAT_KEYS: readonly string[] = ["seed"];

/** Whether a flattened param key is a repeat key or lies below one (`seed`, `seed.data`). */
export function isRepeatKey(key: string, repeatKeys: readonly string[]): boolean {
  return repeatKeys.some((k) => key === k || key.startsWith(k + "."));
}

/** Which way is better for a rule: limits on a drop mean higher is better. */
export function direction(rule: Rule): Better | "none" {
  if (rule.max_drop !== undefined || rule.max_drop_pct !== undefined) return "higher";
  if (rule.max_rise !== undefined || rule.max_rise_pct !== undefined) return "lower";
  return "none";
}

/** Validate a rules document; errors name the rule (by index and metric) and the property. */
export function parseRules(value: JsonValue, file = RULES_FILE): Rules {
  preCheck(value, file);
  try {
    validate("rules", value, file);
  } catch (e) {
    if (!(e instanceof InvalidInputError) || !isJsonObject(value)) throw e;
    throw new InvalidInputError(nameRule(e.message, value, file), e.where, { cause: e });
  }
  const doc = value as JsonObject;
  const checks = ((doc["checks"] as JsonObject[] | undefined) ?? []).map((c) => ({ ...c }) as unknown as Rule);
  for (const [i, c] of checks.entries()) checkRule(c, `${file}: checks[${i}] (${c.metric})`);
  return {
    checks,
    require: (doc["require"] as Requirement | undefined) ?? "head",
    experiments: doc["experiments"] as string | undefined,
    configSchema: doc["config_schema"] as JsonObject | undefined,
    repeatKeys: (doc["repeat_keys"] as string[] | undefined) ?? [...DEFAULT_REPEAT_KEYS],
    includeDirty: doc["include_dirty"] === true,
    slurm: doc["slurm"] as JsonObject | undefined,
    acceptDeletes: doc["accept_deletes"] !== false,
    verifySignatures: doc["verify_signatures"] === true,
  };
}

const RULE_KEYS = ["metric", "min", "max", "max_drop", "max_drop_pct", "max_rise", "max_rise_pct", "alpha"];
const LIMIT_KEYS = RULE_KEYS.slice(1, 7);

/** The mistakes people make most, said in their words before the schema speaks. */
function preCheck(value: JsonValue, file: string): void {
  if (!isJsonObject(value)) throw new InvalidInputError(`${file}: the rules must be a JSON object with a "checks" array`);
  const checks = value["checks"];
  if (!Array.isArray(checks)) return;
  checks.forEach((c, i) => {
    if (!isJsonObject(c)) return;
    const where = `${file}: rule ${i + 1}${typeof c["metric"] === "string" ? ` (metric ${c["metric"]})` : ""}`;
    const unknown = Object.keys(c).find((k) => !RULE_KEYS.includes(k));
    if (unknown) throw new InvalidInputError(`${where}: unknown property '${unknown}'; a rule takes ${RULE_KEYS.join(", ")}`);
    if (!LIMIT_KEYS.some((k) => k in c)) throw new InvalidInputError(`${where}: give a limit: one of ${LIMIT_KEYS.join(", ")}`);
  });
}

function nameRule(message: string, doc: JsonObject, file: string): string {
  const m = /\$\.checks\[(\d+)\]/.exec(message);
  const checks = doc["checks"];
  if (!m || !Array.isArray(checks)) return message;
  const rule = checks[Number(m[1])];
  const metric = isJsonObject(rule) && typeof rule["metric"] === "string" ? ` (metric ${rule["metric"]})` : "";
  return `${message.replace(`${file}: `, `${file}: rule ${Number(m[1]) + 1}${metric}: `)}`;
}

export function checkRule(rule: Rule, where: string): void {
  // As the rules schema says: a drop or rise allowed is never negative (flags and file alike).
  for (const key of ["max_drop", "max_drop_pct", "max_rise", "max_rise_pct"] as const) {
    const v = rule[key];
    if (v !== undefined && v < 0) throw new InvalidInputError(`${where}: ${key} must be >= 0, not ${v}`);
  }
  if (direction(rule) !== "none" && (rule.max_rise !== undefined || rule.max_rise_pct !== undefined) && (rule.max_drop !== undefined || rule.max_drop_pct !== undefined)) {
    throw new InvalidInputError(`${where}: a rule limits either a drop (higher is better) or a rise (lower is better), not both`);
  }
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
    throw new InvalidInputError(`${where}: min ${rule.min} is above max ${rule.max}`);
  }
}

/** Shell-style glob on names: `*` any run of characters, `?` one character. */
export function globMatch(glob: string, name: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return re.test(name);
}

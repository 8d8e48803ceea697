import { createHash } from "node:crypto";
import { InvalidInputError } from "./errors.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "./json.js";

/**
 * A W&B sweep configuration, checked: the format users bring (`method`, `metric`,
 * `parameters`, `run_cap`, `early_terminate`). Everything git-exp does not do is refused
 * here, naming the key, before anything runs: a silently ignored key would run a different
 * search from the one the user wrote.
 */
export type SweepMethod = "grid" | "random" | "bayes";
export type Goal = "minimize" | "maximize";

/** W&B's distribution names that git-exp samples. */
const DISTRIBUTIONS = [
  "constant",
  "categorical",
  "int_uniform",
  "uniform",
  "q_uniform",
  "log_uniform",
  "q_log_uniform",
  "log_uniform_values",
  "q_log_uniform_values",
  "normal",
  "q_normal",
  "log_normal",
  "q_log_normal",
] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** W&B distributions a user may have that are refused by name (rather than as unknown). */
const NOT_SUPPORTED = ["beta", "q_beta", "inv_log_uniform", "inv_log_uniform_values", "categorical_w_probabilities"];

export interface FixedParam {
  kind: "constant";
  key: string;
  path: string[];
  value: JsonValue;
}

export interface CategoricalParam {
  kind: "categorical";
  key: string;
  path: string[];
  values: JsonValue[];
}

/**
 * A number drawn as `value = q(log ? exp(x) : x)` where x follows the prior: uniform on
 * [low, high] or normal(mu, sigma). Samplers work on x, so a log distribution is searched
 * on the log scale.
 */
export interface NumericParam {
  kind: "numeric";
  key: string;
  path: string[];
  distribution: Distribution;
  prior: "uniform" | "normal";
  log: boolean;
  low: number;
  high: number;
  mu: number;
  sigma: number;
  /** Round the value to a multiple of q (int_uniform: 1). */
  q?: number;
  /** The W&B bounds, as written: a grid enumerates them (int_uniform, q_uniform). */
  min?: number;
  max?: number;
}

export type SweepParam = FixedParam | CategoricalParam | NumericParam;

export type EarlyTerminate =
  | { type: "hyperband"; eta: number; bands: number[] }
  | { type: "median"; minIter: number; startupTrials: number };

export interface SweepSpec {
  method: SweepMethod;
  metric?: { name: string; goal: Goal; target?: number };
  params: SweepParam[];
  runCap?: number;
  earlyTerminate?: EarlyTerminate;
  /** The file's content as canonical JSON: with the command, it names the study. */
  canonical: string;
}

const TOP_KEYS = ["method", "metric", "parameters", "run_cap", "early_terminate", "name", "description", "project", "entity", "program"];
/** Top-level W&B keys that change what runs; git-exp cannot honour them, so it says so. */
const TOP_REFUSED: Record<string, string> = {
  command: "git-exp runs the command given after --, with the trial's config in $GIT_EXP_CONFIG; remove command and give it after --",
  metrics: "multi-objective search is not supported; give one metric",
  scheduler: "custom schedulers are not supported; use method random or bayes",
  controller: "git-exp is its own controller; remove controller",
  job: "Launch jobs are not supported; give the command after --",
  image_uri: "Launch images are not supported; give the command after --",
};
const PARAM_KEYS = ["distribution", "value", "values", "min", "max", "mu", "sigma", "q", "parameters"];
const MAX_BANDS = 64;

/**
 * Check a parsed sweep file (JSON or YAML) and type it; `file` names it in errors.
 * `floats`: key paths (`parameters.lr.min`) of numbers the file wrote as floats (`0.0`),
 * which W&B does not take for int_uniform bounds.
 */
export function parseSweepSpec(doc: JsonObject, file: string, floats: ReadonlySet<string> = new Set()): SweepSpec {
  const bad = (key: string, what: string): InvalidInputError => new InvalidInputError(`${file}: ${key}: ${what}`, { file, path: key });
  for (const key of Object.keys(doc)) {
    if (TOP_REFUSED[key]) throw bad(key, TOP_REFUSED[key]);
    if (!TOP_KEYS.includes(key)) throw bad(key, `unknown key; a sweep file has ${TOP_KEYS.slice(0, 5).join(", ")}`);
  }
  const method = doc["method"];
  if (method === undefined) throw bad("method", "missing; say grid, random or bayes");
  if (method !== "grid" && method !== "random" && method !== "bayes") {
    throw bad("method", `${JSON.stringify(method)} is not a method git-exp knows; use grid, random or bayes`);
  }
  const metric = parseMetric(doc["metric"], bad);
  const params = parseParameters(doc["parameters"], [], "parameters", { bad, floats });
  if (params.length === 0) throw bad("parameters", "missing or empty; give the parameters to search over");
  const runCap = doc["run_cap"] === undefined ? undefined : positiveInteger(doc["run_cap"], "run_cap", bad);
  const earlyTerminate = doc["early_terminate"] === undefined ? undefined : parseEarlyTerminate(doc["early_terminate"], bad);
  if (method === "bayes" && !metric) throw bad("metric.name", "method bayes needs the metric to optimise: metric: {name: loss, goal: minimize}");
  if (earlyTerminate && !metric) throw bad("metric.name", "early_terminate needs the metric to compare trials by: metric: {name: loss, goal: minimize}");
  if (method === "grid") {
    for (const p of params) {
      if (p.kind === "numeric" && p.distribution !== "int_uniform" && p.distribution !== "q_uniform") {
        throw bad(`parameters.${p.key}`, `a grid takes values, value, int_uniform or q_uniform, not ${p.distribution}; use method random or bayes`);
      }
    }
  }
  return { method, metric, params, runCap, earlyTerminate, canonical: canonicalJson(doc) };
}

type Bad = (key: string, what: string) => InvalidInputError;

function parseMetric(v: JsonValue | undefined, bad: Bad): SweepSpec["metric"] {
  if (v === undefined) return undefined;
  if (!isJsonObject(v)) throw bad("metric", "give a mapping: metric: {name: loss, goal: minimize}");
  for (const k of Object.keys(v)) {
    if (!["name", "goal", "target"].includes(k)) throw bad(`metric.${k}`, "not supported; a metric has name, goal and target");
  }
  const name = v["name"];
  if (typeof name !== "string" || name.trim() === "") throw bad("metric.name", "missing; name the metric the trials log");
  const goal = v["goal"] ?? "minimize";
  if (goal !== "minimize" && goal !== "maximize") throw bad("metric.goal", `${JSON.stringify(goal)}: say minimize or maximize`);
  const target = v["target"];
  if (target !== undefined && typeof target !== "number") throw bad("metric.target", "give a number");
  return target === undefined ? { name, goal } : { name, goal, target };
}

interface Ctx {
  bad: Bad;
  floats: ReadonlySet<string>;
}

function parseParameters(v: JsonValue | undefined, prefix: string[], at: string, ctx: Ctx): SweepParam[] {
  const { bad } = ctx;
  if (v === undefined) return [];
  if (!isJsonObject(v)) throw bad(at, "give a mapping of parameter names to their values or distributions");
  const out: SweepParam[] = [];
  for (const [name, spec] of Object.entries(v)) {
    const key = `${at}.${name}`;
    const segments = name.split(".");
    if (segments.some((s) => s.trim() === "")) throw bad(key, `'${name}' is not a parameter name; write it like lr or optimizer.lr`);
    const path = [...prefix, ...segments];
    if (!isJsonObject(spec)) throw bad(key, "give {value: x}, {values: [...]}, {distribution: ..., min, max} or {parameters: {...}}");
    if ("distribution" in spec) inferDistribution(spec, key, ctx);
    for (const k of Object.keys(spec)) {
      if (k === "probabilities") throw bad(`${key}.probabilities`, "categorical_w_probabilities is not supported; list the values once each");
      if (!PARAM_KEYS.includes(k)) throw bad(`${key}.${k}`, `unknown key; a parameter has ${PARAM_KEYS.join(", ")}`);
    }
    if ("parameters" in spec) {
      const others = Object.keys(spec).filter((k) => k !== "parameters");
      if (others.length) throw bad(`${key}.${others[0]}`, "a group of parameters holds only parameters");
      const inner = parseParameters(spec["parameters"], path, `${key}.parameters`, ctx);
      if (inner.length === 0) throw bad(`${key}.parameters`, "an empty group; give its parameters or remove it");
      out.push(...inner);
    } else {
      out.push(parseParam(spec, path, key, ctx));
    }
  }
  checkDistinctPaths(out, bad);
  return out;
}

function parseParam(spec: JsonObject, path: string[], at: string, ctx: Ctx): SweepParam {
  const { bad } = ctx;
  const key = path.join(".");
  const distribution = inferDistribution(spec, at, ctx);
  const allowed: Record<Distribution, string[]> = {
    constant: ["value"],
    categorical: ["values"],
    int_uniform: ["min", "max"],
    uniform: ["min", "max"],
    q_uniform: ["min", "max", "q"],
    log_uniform: ["min", "max"],
    q_log_uniform: ["min", "max", "q"],
    log_uniform_values: ["min", "max"],
    q_log_uniform_values: ["min", "max", "q"],
    normal: ["mu", "sigma"],
    q_normal: ["mu", "sigma", "q"],
    log_normal: ["mu", "sigma"],
    q_log_normal: ["mu", "sigma", "q"],
  };
  for (const k of Object.keys(spec)) {
    if (k !== "distribution" && !allowed[distribution].includes(k)) throw bad(`${at}.${k}`, `${distribution} does not take ${k}; it takes ${allowed[distribution].join(", ")}`);
  }
  if (distribution === "constant") {
    if (!("value" in spec)) throw bad(`${at}.value`, "missing; a constant needs its value");
    return { kind: "constant", key, path, value: spec["value"]! };
  }
  if (distribution === "categorical") {
    const values = spec["values"];
    if (!Array.isArray(values)) throw bad(`${at}.values`, "give a list of values");
    if (values.length === 0) throw bad(`${at}.values`, "is empty; give at least one value");
    const seen = new Set<string>();
    for (const x of values) {
      const c = canonicalJson(x);
      if (seen.has(c)) throw bad(`${at}.values`, `${c.trim()} is listed twice`);
      seen.add(c);
    }
    return { kind: "categorical", key, path, values };
  }
  const num = (k: string, fallback?: number): number => {
    const x = spec[k];
    if (x === undefined) {
      if (fallback !== undefined) return fallback;
      throw bad(`${at}.${k}`, `missing; ${distribution} needs ${allowed[distribution].filter((a) => a !== "q").join(" and ")}`);
    }
    if (typeof x !== "number" || !Number.isFinite(x)) throw bad(`${at}.${k}`, `${JSON.stringify(x)} is not a number`);
    return x;
  };
  const q = allowed[distribution].includes("q") ? num("q", 1) : distribution === "int_uniform" ? 1 : undefined;
  if (q !== undefined && !(q > 0)) throw bad(`${at}.q`, `${q}: q must be above 0`);
  const base = { kind: "numeric" as const, key, path, distribution, q, mu: 0, sigma: 1, low: 0, high: 0 };
  if (distribution.endsWith("normal")) {
    const mu = num("mu", 0);
    const sigma = num("sigma", 1);
    if (!(sigma > 0)) throw bad(`${at}.sigma`, `${sigma}: sigma must be above 0`);
    return { ...base, prior: "normal", log: distribution.includes("log"), mu, sigma };
  }
  const min = num("min");
  const max = num("max");
  if (min > max) throw bad(`${at}.min`, `min ${min} is above max ${max}`);
  if (distribution === "int_uniform") {
    if (!Number.isInteger(min) || !Number.isInteger(max)) throw bad(`${at}.min`, "int_uniform takes whole numbers for min and max");
    // Each integer gets an equal share of [min - 0.5, max + 0.5]; rounding recovers it.
    return { ...base, prior: "uniform", log: false, low: min - 0.5, high: max + 0.5, min, max };
  }
  if (distribution === "log_uniform_values" || distribution === "q_log_uniform_values") {
    if (!(min > 0)) throw bad(`${at}.min`, `${distribution} needs min above 0 (it is ${min}); the values are searched on a log scale`);
    return { ...base, prior: "uniform", log: true, low: Math.log(min), high: Math.log(max), min, max };
  }
  // W&B's log_uniform gives its bounds as natural logarithms: e^min .. e^max.
  return { ...base, prior: "uniform", log: distribution.includes("log"), low: min, high: max, min, max };
}

/** W&B's rules: values -> categorical, value -> constant, integer bounds -> int_uniform. */
function inferDistribution(spec: JsonObject, at: string, { bad, floats }: Ctx): Distribution {
  const d = spec["distribution"];
  if (d !== undefined) {
    if (typeof d !== "string") throw bad(`${at}.distribution`, "give a distribution's name");
    if (NOT_SUPPORTED.includes(d)) throw bad(`${at}.distribution`, `${d} is not supported; use one of ${DISTRIBUTIONS.join(", ")}`);
    if (!(DISTRIBUTIONS as readonly string[]).includes(d)) {
      throw bad(`${at}.distribution`, `'${d}' is not a distribution git-exp knows; use one of ${DISTRIBUTIONS.join(", ")}`);
    }
    return d as Distribution;
  }
  if ("values" in spec) return "categorical";
  if ("value" in spec) return "constant";
  if ("min" in spec || "max" in spec) {
    const int = (k: string): boolean => Number.isInteger(spec[k]) && !floats.has(`${at}.${k}`);
    return int("min") && int("max") ? "int_uniform" : "uniform";
  }
  if ("mu" in spec || "sigma" in spec) return "normal";
  throw bad(at, "give {value: x}, {values: [...]}, {distribution: ..., min, max} or {parameters: {...}}");
}

function checkDistinctPaths(params: SweepParam[], bad: Bad): void {
  const keys = params.map((p) => p.key);
  keys.forEach((k, i) => {
    const clash = keys.find((o, j) => j !== i && (o === k || o.startsWith(`${k}.`)));
    if (clash !== undefined) throw bad(`parameters.${k}`, clash === k ? "is given twice" : `is also a group holding ${clash}`);
  });
}

function positiveInteger(v: JsonValue, key: string, bad: Bad): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw bad(key, `${JSON.stringify(v)}: give a whole number above 0`);
  return v;
}

function parseEarlyTerminate(v: JsonValue, bad: Bad): EarlyTerminate {
  if (!isJsonObject(v)) throw bad("early_terminate", "give a mapping: {type: hyperband, min_iter: 3}");
  const type = v["type"];
  const allowed = type === "hyperband" ? ["type", "min_iter", "max_iter", "s", "eta"] : type === "median" ? ["type", "min_iter", "n_startup_trials"] : undefined;
  if (!allowed) throw bad("early_terminate.type", `${JSON.stringify(type ?? null)}: use hyperband or median`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw bad(`early_terminate.${k}`, `not supported with type ${type}; it takes ${allowed.slice(1).join(", ")}`);
  }
  if (type === "median") {
    const minIter = v["min_iter"] === undefined ? 0 : nonNegativeInteger(v["min_iter"], "early_terminate.min_iter", bad);
    const startupTrials = v["n_startup_trials"] === undefined ? 5 : nonNegativeInteger(v["n_startup_trials"], "early_terminate.n_startup_trials", bad);
    return { type, minIter, startupTrials };
  }
  const eta = v["eta"] ?? 3;
  if (typeof eta !== "number" || !(eta > 1)) throw bad("early_terminate.eta", `${JSON.stringify(eta)}: eta must be a number above 1`);
  return { type: "hyperband", eta, bands: hyperbandBands(v, eta, bad) };
}

/**
 * The steps at which hyperband compares trials, as W&B computes them: from min_iter,
 * min_iter * eta^k; from max_iter and s, max_iter / eta^k for k = 1..s.
 */
function hyperbandBands(v: JsonObject, eta: number, bad: Bad): number[] {
  if (v["min_iter"] !== undefined && v["max_iter"] !== undefined) throw bad("early_terminate.max_iter", "give min_iter or max_iter (with s), not both");
  if (v["min_iter"] !== undefined) {
    if (v["s"] !== undefined) throw bad("early_terminate.s", "s goes with max_iter; with min_iter the brackets are min_iter * eta^k");
    const minIter = positiveInteger(v["min_iter"], "early_terminate.min_iter", bad);
    const bands: number[] = [];
    for (let b = minIter; bands.length < MAX_BANDS && b < Number.MAX_SAFE_INTEGER; b *= eta) {
      const f = Math.floor(b);
      if (bands[bands.length - 1] !== f) bands.push(f);
    }
    return bands;
  }
  if (v["max_iter"] === undefined) throw bad("early_terminate.min_iter", "hyperband needs min_iter, or max_iter and s");
  const maxIter = positiveInteger(v["max_iter"], "early_terminate.max_iter", bad);
  if (v["s"] === undefined) throw bad("early_terminate.s", "max_iter needs s, the number of brackets below it");
  const s = positiveInteger(v["s"], "early_terminate.s", bad);
  const bands = new Set<number>();
  let b = maxIter;
  for (let i = 0; i < s; i++) {
    b /= eta;
    if (b < 1) break;
    bands.add(Math.floor(b));
  }
  if (bands.size === 0) throw bad("early_terminate.s", `no bracket is at step 1 or later (max_iter ${maxIter} / eta ${eta}); raise max_iter or lower eta`);
  return [...bands].sort((x, y) => x - y);
}

function nonNegativeInteger(v: JsonValue, key: string, bad: Bad): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw bad(key, `${JSON.stringify(v)}: give a whole number, 0 or more`);
  return v;
}

/**
 * A study's id: the sweep file's canonical JSON and the command, hashed. Running the same
 * sweep again, here or in another clone, continues the same study.
 */
export function studyId(spec: Pick<SweepSpec, "canonical">, command: readonly string[]): string {
  return createHash("sha256").update(spec.canonical).update("\0").update(canonicalJson(command)).digest("hex").slice(0, 16);
}

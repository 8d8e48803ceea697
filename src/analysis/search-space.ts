import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import type { NumericParam, SweepParam } from "../core/sweep-spec.js";
import { normalCdf, normalQuantile, type Prng } from "./prng.js";

/**
 * Samplers search each numeric parameter on an internal interval [low, high] with a uniform
 * prior: x itself for a uniform prior (log x for log distributions), the normal's
 * distribution function for a normal prior. So one sampler serves every W&B distribution,
 * and a log-uniform learning rate is searched on the log scale.
 */
export function internalBounds(p: NumericParam): [number, number] {
  return p.prior === "normal" ? [0, 1] : [p.low, p.high];
}

/** The config value at internal coordinate z. */
export function numericValue(p: NumericParam, z: number): number {
  const [lo, hi] = internalBounds(p);
  const u = Math.min(hi, Math.max(lo, z));
  const x = p.prior === "normal" ? p.mu + p.sigma * normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, u))) : u;
  const v = p.log ? Math.exp(x) : x;
  return p.q === undefined ? v : quantize(v, p.q, p);
}

/** The internal coordinate of a recorded value; undefined when it cannot be one of this parameter's. */
export function internalOf(p: NumericParam, v: JsonValue | undefined): number | undefined {
  if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
  const [lo, hi] = internalBounds(p);
  if (p.log && v <= 0) return lo;
  const x = p.log ? Math.log(v) : v;
  const z = p.prior === "normal" ? normalCdf((x - p.mu) / p.sigma) : x;
  return Math.min(hi, Math.max(lo, z));
}

/** W&B's q rounding, without binary noise (0.30000000000000004 is written 0.3), kept within min..max. */
function quantize(v: number, q: number, p: NumericParam): number {
  let r = Math.round(v / q) * q;
  if (p.distribution === "int_uniform" && p.min !== undefined && p.max !== undefined) r = Math.min(p.max, Math.max(p.min, r));
  return Number.isInteger(q) ? Math.round(r) : Number(r.toPrecision(12));
}

/** The index of a recorded categorical value, by content. */
export function categoryOf(values: JsonValue[], v: JsonValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  const c = canonicalJson(v);
  const i = values.findIndex((x) => canonicalJson(x) === c);
  return i < 0 ? undefined : i;
}

/** One parameter's value drawn from its prior. */
export function sampleFromPrior(p: SweepParam, rng: Prng): JsonValue {
  if (p.kind === "constant") return p.value;
  if (p.kind === "categorical") return p.values[rng.int(p.values.length)]!;
  const [lo, hi] = internalBounds(p);
  return numericValue(p, rng.uniform(lo, hi));
}

/** A nested config from key paths (distinct by the sweep file's check). */
export function buildConfig(entries: [string[], JsonValue][]): JsonObject {
  const root: JsonObject = {};
  for (const [path, value] of entries) {
    let node = root;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = isJsonObject(next) ? next : (node[key] = {});
    }
    node[path[path.length - 1]!] = value;
  }
  return root;
}


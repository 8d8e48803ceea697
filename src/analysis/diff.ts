import { UsageError } from "../core/errors.js";
import { flattenMetrics, type Experiment } from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { diffCode } from "./code-diff.js";
import { diffEnv, objectChanges } from "./env-diff.js";
import type { ValueChange } from "../core/diff-results.js";
import type { MetricDelta, InputChange, Side, ExperimentDiff } from "../core/diff-results.js";

export interface Tolerance {
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance, of the larger magnitude (default 0). */
  rtol?: number;
}

export function checkTolerance(t: Tolerance): { atol: number; rtol: number } {
  const atol = t.atol ?? 1e-6;
  const rtol = t.rtol ?? 0;
  for (const [name, v] of [["--tolerance", atol], ["--rtol", rtol]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${name} takes a number of 0 or more (such as 1e-6), not ${v}`);
  }
  return { atol, rtol };
}

/** Equal within |a - b| <= atol + rtol * max(|a|, |b|); NaN equals NaN, as a diverged rerun reproduces a diverged run. */
function withinTolerance(a: number, b: number, tol: { atol: number; rtol: number }): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.max(Math.abs(a), Math.abs(b));
}

function diffResults(a: JsonObject, b: JsonObject, tol: { atol: number; rtol: number }): MetricDelta[] {
  const [ma, mb] = [new Map(flattenMetrics(a)), new Map(flattenMetrics(b))];
  return [...new Set([...ma.keys(), ...mb.keys()])].sort().map((metric) => {
    const [va, vb] = [ma.get(metric), mb.get(metric)];
    if (typeof va !== "number" || typeof vb !== "number") {
      return { metric, a: va, b: vb, abs: null, rel: null, beyond: va !== vb };
    }
    const abs = vb - va;
    const rel = va !== 0 && Number.isFinite(abs) ? abs / Math.abs(va) : null;
    return { metric, a: va, b: vb, abs: Number.isNaN(abs) ? null : abs, rel, beyond: !withinTolerance(va, vb, tol) };
  });
}

function entry(v: JsonValue | undefined): string {
  return v === undefined ? "" : canonicalJson(v, { nonFinite: "encode" });
}

function diffInputs(a: JsonObject | undefined, b: JsonObject | undefined): InputChange[] {
  const [ia, ib] = [a ?? {}, b ?? {}];
  const out: InputChange[] = [];
  for (const path of [...new Set([...Object.keys(ia), ...Object.keys(ib)])].sort()) {
    const [va, vb] = [ia[path], ib[path]];
    if (va === undefined) out.push({ path, kind: "added", b: vb! });
    else if (vb === undefined) out.push({ path, kind: "removed", a: va });
    else if (entry(va) !== entry(vb)) out.push({ path, kind: "changed", a: va, b: vb });
  }
  return out;
}

const METADATA_KEYS = ["name", "message", "tags", "status", "created_at", "created_by", "command", "exit_code", "duration_s", "parents"];

function metadataChanges(a: Experiment, b: Experiment): ValueChange[] {
  const pick = (e: Experiment): JsonObject => {
    const o: JsonObject = {};
    for (const k of METADATA_KEYS) if (e.meta[k] !== undefined) o[k] = e.meta[k]!;
    return o;
  };
  // Arrays and people stay one value each: "tags: [a] -> [a, b]" reads better than paths.
  const wrap = (o: JsonObject): JsonObject => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isJsonObject(v) ? canonicalJson(v).trimEnd() : v]));
  return objectChanges(wrap(pick(a)), wrap(pick(b)));
}

function side(id: string, e: Experiment): Side {
  return { id, name: e.meta.name ?? null, created_at: e.meta.created_at };
}

/** Everything that differs between two experiments already read. */
export async function diffExperiments(
  store: ExperimentStore,
  a: { id: string; experiment: Experiment },
  b: { id: string; experiment: Experiment },
  tolerance: Tolerance = {},
): Promise<ExperimentDiff> {
  const tol = checkTolerance(tolerance);
  const [ea, eb] = [a.experiment, b.experiment];
  const config = objectChanges(ea.config, eb.config);
  const inputs = diffInputs(ea.inputs, eb.inputs);
  const code = await diffCode(store.repo, ea, eb);
  const environment = diffEnv(ea.env, eb.env);
  const results = diffResults(ea.results, eb.results, tol);
  const sections = {
    config: config.length > 0,
    inputs: inputs.length > 0,
    code: code.differs,
    environment: environment.changes.length + environment.packages.length > 0,
    results: results.some((r) => r.beyond),
  };
  return {
    a: side(a.id, ea),
    b: side(b.id, eb),
    self: a.id === b.id,
    tolerance: tol,
    config,
    inputs,
    code,
    environment,
    results,
    metadata: metadataChanges(ea, eb),
    sections,
    differs: Object.values(sections).some(Boolean),
  };
}

/** `git exp diff A B`: resolve both names, read both experiments, diff them. */
export async function diffSpecs(store: ExperimentStore, specA: string, specB: string, tolerance: Tolerance = {}): Promise<ExperimentDiff> {
  checkTolerance(tolerance);
  const [ia, ib] = (await store.resolveAll([specA, specB])) as [string, string];
  const [ea, eb] = [await store.read(ia), await store.read(ib)];
  return diffExperiments(store, { id: ia, experiment: ea }, { id: ib, experiment: eb }, tolerance);
}

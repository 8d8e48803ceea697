import { InvalidInputError, UsageError } from "../core/errors.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import type { SweepParam, SweepSpec } from "../core/sweep-spec.js";
import { Prng } from "./prng.js";
import { buildConfig } from "./search-space.js";
import { sampleRandom, suggestTpe, TPE_DEFAULTS, type Observation, type TpeOptions } from "./tpe.js";

/**
 * A sweep as a study: the trials already in the repository (whoever ran them) decide the
 * next one. `nextTrial` is the one step every executor calls, the local `run --sweep` loop
 * and a Slurm array task alike: input the sweep and its trials, output the next config.
 */
export type TrialState = "running" | "completed" | "failed" | "pruned" | "interrupted";

export interface StudyTrial {
  /** 1-based, unique per study unless a trial was interrupted and run again. */
  index: number;
  /**
   * `interrupted` is a trial a person stopped (Ctrl-C): its index is free to run again.
   * `pruned` is one early termination stopped: it counts, as a bad trial.
   */
  state: TrialState;
  config: JsonObject;
  /** The objective metric's final value; null when the trial did not log it (or NaN). */
  value: number | null;
}

export interface StudyOptions {
  /** The study's id (studyId of the sweep file and command): part of every trial's seed. */
  studyId: string;
  /** Makes the suggestions reproducible: same file, seed and results, same trials. Default 0. */
  samplerSeed?: number;
  /** Overrides the file's run_cap. */
  trials?: number;
  /** The bayes sampler's settings; TPE_DEFAULTS unless given. */
  tpe?: TpeOptions;
}

export interface NextTrial {
  index: number;
  /** The sweep's parameters only; the caller lays them over a base config, if any. */
  config: JsonObject;
  /** key path -> value of the parameters that vary across the study. */
  varying: Record<string, JsonValue>;
}

/** Grids larger than this without run_cap are almost always a mistake. */
const MAX_GRID_POINTS = 10_000;

/** How many trials the study runs in all; refuses a study with no end before anything runs. */
export function studySize(spec: SweepSpec, trials?: number): number {
  if (trials !== undefined && (!Number.isInteger(trials) || trials < 1)) throw new UsageError(`--trials takes a whole number above 0, not ${trials}`);
  const cap = trials ?? spec.runCap;
  if (spec.method === "grid") {
    const size = gridAxes(spec.params).reduce((n, a) => n * a.length, 1);
    if (cap === undefined && size > MAX_GRID_POINTS) {
      throw new InvalidInputError(`the grid has ${size} points, more than ${MAX_GRID_POINTS}; set run_cap or --trials, or use method random`);
    }
    return Math.min(size, cap ?? size);
  }
  if (cap === undefined) {
    throw new InvalidInputError(`method ${spec.method} runs until told to stop: set run_cap in the sweep file or give --trials N`, { path: "run_cap" });
  }
  return cap;
}

/**
 * The next trial to run, or null when the study is done (its size reached, counting
 * running trials, or the metric's target met). Pure: the same spec, trials and options
 * give the same answer.
 */
export function nextTrial(spec: SweepSpec, trials: readonly StudyTrial[], options: StudyOptions): NextTrial | null {
  const size = studySize(spec, options.trials);
  if (targetMet(spec, trials)) return null;
  const taken = new Set(trials.filter((t) => t.state !== "interrupted").map((t) => t.index));
  let index = 1;
  while (taken.has(index)) index++;
  if (index > size) return null;
  const values = suggest(spec, trials, index, options);
  const entries: [string[], JsonValue][] = spec.params.map((p) => [p.path, values.get(p.key)!]);
  const varying: Record<string, JsonValue> = {};
  for (const p of spec.params) if (varies(p)) varying[p.key] = values.get(p.key)!;
  return { index, config: buildConfig(entries), varying };
}

function suggest(spec: SweepSpec, trials: readonly StudyTrial[], index: number, options: StudyOptions): Map<string, JsonValue> {
  if (spec.method === "grid") return gridPoint(spec.params, index - 1);
  const rng = new Prng(options.samplerSeed ?? 0, options.studyId, index);
  if (spec.method === "bayes") {
    const tpe = suggestTpe(spec.params, observations(spec, trials), rng, options.tpe ?? TPE_DEFAULTS);
    if (tpe) return tpe;
  }
  return sampleRandom(spec.params, rng);
}

/** Finished trials in creation order, with a loss that is lower for better (failures last). */
export function observations(spec: SweepSpec, trials: readonly StudyTrial[]): Observation[] {
  const sign = spec.metric?.goal === "maximize" ? -1 : 1;
  return trials
    .filter((t) => t.state === "completed" || t.state === "failed" || t.state === "pruned")
    .sort((a, b) => a.index - b.index)
    .map((t) => ({
      config: t.config,
      loss: t.state === "failed" || t.value === null || Number.isNaN(t.value) ? Infinity : sign * t.value,
      pruned: t.state === "pruned",
    }));
}

function targetMet(spec: SweepSpec, trials: readonly StudyTrial[]): boolean {
  const m = spec.metric;
  if (m?.target === undefined) return false;
  return trials.some((t) => t.state === "completed" && t.value !== null && (m.goal === "minimize" ? t.value <= m.target! : t.value >= m.target!));
}

function varies(p: SweepParam): boolean {
  return p.kind === "numeric" || (p.kind === "categorical" && p.values.length > 1);
}

/** Each parameter's grid values, in the file's order. */
function gridAxes(params: SweepParam[]): JsonValue[][] {
  return params.map((p) => {
    if (p.kind === "constant") return [p.value];
    if (p.kind === "categorical") return p.values;
    const q = p.q ?? 1;
    const out: JsonValue[] = [];
    const steps = Math.floor((p.max! - p.min!) / q + 1e-9);
    if (steps >= MAX_GRID_POINTS) {
      throw new InvalidInputError(`parameters.${p.key}: ${steps + 1} grid values, more than ${MAX_GRID_POINTS}; raise q or use method random`);
    }
    for (let i = 0; i <= steps; i++) {
      const v = p.min! + i * q;
      out.push(Number.isInteger(q) && Number.isInteger(p.min) ? v : Number(v.toPrecision(12)));
    }
    return out;
  });
}

/** Point i of the cartesian product, the last parameter varying fastest (as nested loops). */
function gridPoint(params: SweepParam[], i: number): Map<string, JsonValue> {
  const axes = gridAxes(params);
  const out = new Map<string, JsonValue>();
  let rest = i;
  for (let k = params.length - 1; k >= 0; k--) {
    const axis = axes[k]!;
    out.set(params[k]!.key, axis[rest % axis.length]!);
    rest = Math.floor(rest / axis.length);
  }
  return out;
}

/** The trial that did best so far, by the sweep's metric; undefined without a metric or a completed trial. */
export function bestTrial<T extends StudyTrial>(spec: Pick<SweepSpec, "metric">, trials: readonly T[]): T | undefined {
  const m = spec.metric;
  if (!m) return undefined;
  let best: T | undefined;
  for (const t of trials) {
    if (t.state !== "completed" || t.value === null || Number.isNaN(t.value)) continue;
    if (!best || (m.goal === "minimize" ? t.value < best.value! : t.value > best.value!)) best = t;
  }
  return best;
}

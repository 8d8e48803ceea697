import type { EarlyTerminate, Goal } from "../core/sweep-spec.js";

/**
 * Early termination as pure functions of the trials' metric series: which running trials
 * to stop now. The sweep calls them while trials run, with the series read as `ls --running`
 * reads them, and sends SIGTERM to the ones named.
 */
export interface TrialCurve {
  id: string;
  /** `stopped`: pruned, failed or interrupted; it still tells hyperband how far others got. */
  state: "running" | "completed" | "stopped";
  /** The sweep metric's series: steps ascending, values as logged (non-finite ones are skipped). */
  step: number[];
  value: number[];
}

export interface PruneDecision {
  id: string;
  rule: EarlyTerminate["type"];
  /** The trial's latest step when it was judged. */
  atStep: number;
}

export function trialsToStop(rule: EarlyTerminate, goal: Goal, curves: readonly TrialCurve[]): PruneDecision[] {
  const clean = curves.map((c) => finiteOnly(c, goal === "maximize" ? -1 : 1));
  return rule.type === "hyperband" ? hyperband(rule.bands, rule.eta, clean) : median(rule.minIter, rule.startupTrials, clean);
}

/** Lower is better from here on: a maximised metric is negated. */
function finiteOnly(c: TrialCurve, sign: number): TrialCurve {
  const step: number[] = [];
  const value: number[] = [];
  c.value.forEach((v, i) => {
    if (Number.isFinite(v)) {
      step.push(c.step[i]!);
      value.push(sign * v);
    }
  });
  return { ...c, step, value };
}

/** The value a trial had when it reached step b: its first point at b or later. */
function valueReaching(c: TrialCurve, b: number): number | undefined {
  const i = c.step.findIndex((s) => s >= b);
  return i < 0 ? undefined : c.value[i];
}

/**
 * W&B's hyperband stopping: at each bracket b, the threshold is the value ranked
 * floor(n / eta) (0-based, best first) among the n trials, of any state, that reached b;
 * a running trial is stopped when its value at the last bracket it reached is worse.
 */
function hyperband(bands: number[], eta: number, curves: TrialCurve[]): PruneDecision[] {
  const thresholds = bands.map((b) => {
    const reached = curves.map((c) => valueReaching(c, b)).filter((v): v is number => v !== undefined).sort((x, y) => x - y);
    return reached.length === 0 ? Infinity : reached[Math.floor(reached.length / eta)]!;
  });
  const out: PruneDecision[] = [];
  for (const c of curves) {
    if (c.state !== "running" || c.step.length === 0) continue;
    const last = c.step[c.step.length - 1]!;
    let k = -1;
    while (k + 1 < bands.length && bands[k + 1]! <= last) k++;
    if (k < 0) continue;
    if (valueReaching(c, bands[k]!)! > thresholds[k]!) out.push({ id: c.id, rule: "hyperband", atStep: last });
  }
  return out;
}

/**
 * Optuna's MedianPruner: once `startupTrials` trials have completed and a running trial is
 * past `minIter` steps, it is stopped when its best value so far is worse than the median of
 * the completed trials' values at the same step.
 */
function median(minIter: number, startupTrials: number, curves: TrialCurve[]): PruneDecision[] {
  const completed = curves.filter((c) => c.state === "completed" && c.step.length > 0);
  if (completed.length < Math.max(1, startupTrials)) return [];
  const out: PruneDecision[] = [];
  for (const c of curves) {
    if (c.state !== "running" || c.step.length === 0) continue;
    const step = c.step[c.step.length - 1]!;
    if (step < minIter) continue;
    const others = completed.map((o) => valueAtStep(o, step)).filter((v): v is number => v !== undefined);
    if (others.length === 0) continue;
    if (Math.min(...c.value) > medianOf(others)) out.push({ id: c.id, rule: "median", atStep: step });
  }
  return out;
}

/** A completed trial's value at a step it went past: its last point at or before it. */
function valueAtStep(c: TrialCurve, step: number): number | undefined {
  if (c.step[c.step.length - 1]! < step) return undefined;
  let v: number | undefined;
  for (let i = 0; i < c.step.length && c.step[i]! <= step; i++) v = c.value[i];
  return v;
}

/** numpy's median: the mean of the middle two of an even count. */
function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

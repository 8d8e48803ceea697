import { nextTrial, type StudyTrial } from "../../src/analysis/study.js";
import { TPE_OPTUNA_DEFAULTS, type TpeOptions } from "../../src/analysis/tpe.js";
import { parseSweepSpec, type SweepSpec } from "../../src/core/sweep-spec.js";
import type { JsonObject } from "../../src/core/json.js";
import { median, timeMs, type BenchRow } from "./harness.js";

/** Sampler seeds per method; the figure is the median of the best value each seed found. */
const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);

/** Branin-Hoo: x in [-5, 10], y in [0, 15], global minimum 0.397887 (three of them). */
function branin(c: JsonObject): number {
  const x = c["x"] as number;
  const y = c["y"] as number;
  const b = 5.1 / (4 * Math.PI * Math.PI);
  return (y - b * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));

/** Hartmann 6-d on [0, 1]^6, global minimum -3.32237. */
function hartmann6(c: JsonObject): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * ((c[`x${j + 1}`] as number) - H_P[i]![j]!) ** 2;
    sum += H_ALPHA[i]! * Math.exp(-inner);
  }
  return -sum;
}

function spec(method: string, parameters: JsonObject, runCap: number): SweepSpec {
  return parseSweepSpec({ method, metric: { name: "f", goal: "minimize" }, run_cap: runCap, parameters }, "bench");
}

/** Run a study in process: ask for a trial, evaluate it, record it, until the study is done. */
function study(s: SweepSpec, f: (c: JsonObject) => number, seed: number, tpe?: TpeOptions): { best: number; trials: StudyTrial[] } {
  const trials: StudyTrial[] = [];
  for (;;) {
    const t = nextTrial(s, trials, { studyId: "bench", samplerSeed: seed, tpe });
    if (!t) break;
    trials.push({ index: t.index, state: "completed", config: t.config, value: f(t.config) });
  }
  return { best: Math.min(...trials.map((t) => t.value!)), trials };
}

function medianBest(method: string, parameters: JsonObject, runCap: number, f: (c: JsonObject) => number, tpe?: TpeOptions): number {
  return median(SEEDS.map((seed) => study(spec(method, parameters, runCap), f, seed, tpe).best));
}

export async function bench(): Promise<BenchRow[]> {
  const braninParams = { x: { min: -5.0, max: 10.0, distribution: "uniform" }, y: { min: 0.0, max: 15.0, distribution: "uniform" } };
  const hartmannParams = Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j + 1}`, { min: 0.0, max: 1.0, distribution: "uniform" }]));
  const rows: BenchRow[] = [];
  const bRandom = medianBest("random", braninParams, 30, branin);
  const bBayes = medianBest("bayes", braninParams, 30, branin);
  const bOptuna = medianBest("bayes", braninParams, 30, branin, TPE_OPTUNA_DEFAULTS);
  rows.push({ area: "search", name: `Branin, 30 trials, median best of ${SEEDS.length} seeds, bayes (min 0.397887)`, value: bBayes, unit: "", baselineName: "random", baselineValue: bRandom, goal: "< 0.6" });
  rows.push({ area: "search", name: "Branin, the same, TPE with Optuna's default settings", value: bOptuna, unit: "", baselineName: "random", baselineValue: bRandom });
  const hRandom = medianBest("random", hartmannParams, 60, hartmann6);
  const hBayes = medianBest("bayes", hartmannParams, 60, hartmann6);
  const hOptuna = medianBest("bayes", hartmannParams, 60, hartmann6, TPE_OPTUNA_DEFAULTS);
  rows.push({ area: "search", name: `Hartmann 6-d, 60 trials, median best of ${SEEDS.length} seeds, bayes (min -3.32237)`, value: hBayes, unit: "", baselineName: "random", baselineValue: hRandom, goal: "below random" });
  rows.push({ area: "search", name: "Hartmann 6-d, the same, TPE with Optuna's default settings", value: hOptuna, unit: "", baselineName: "random", baselineValue: hRandom });

  // Overhead of one suggestion with 1,000 finished trials.
  const big = spec("bayes", { ...hartmannParams, opt: { values: ["adam", "sgd", "rmsprop"] } }, 2000);
  const history = study(spec("random", hartmannParams, 1000), hartmann6, 7).trials.map((t, i) => ({ ...t, config: { ...t.config, opt: ["adam", "sgd", "rmsprop"][i % 3]! } }));
  const times: number[] = [];
  for (let i = 0; i < 9; i++) times.push(await timeMs(() => nextTrial(big, history, { studyId: "bench", samplerSeed: i })));
  const randomTimes: number[] = [];
  const flat = spec("random", hartmannParams, 2000);
  for (let i = 0; i < 9; i++) randomTimes.push(await timeMs(() => nextTrial(flat, history, { studyId: "bench", samplerSeed: i })));
  rows.push({ area: "search", name: "bayes suggestion with 1,000 finished trials (7 params), in process", value: median(times), unit: "ms", baselineName: "random suggestion", baselineValue: median(randomTimes), goal: "< 50 ms" });
  return rows;
}

import { nextTrial, type StudyTrial } from "../../src/analysis/study.js";
import { TPE_OPTUNA_DEFAULTS, type TpeOptions } from "../../src/analysis/tpe.js";
import { parseSweepSpec, type SweepSpec } from "../../src/core/sweep-spec.js";
import type { JsonObject } from "../../src/core/json.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trialsToStop, type TrialCurve } from "../../src/analysis/pruning.js";
import { studyTrials } from "../../src/analysis/study-trials.js";
import { documentLine, experimentToDocument } from "../../src/core/document.js";
import { studyId } from "../../src/core/sweep-spec.js";
import { ExperimentIndex } from "../../src/index/experiment-index.js";
import { openRepository } from "../../src/store/repository.js";
import { BIN, benchDir, median, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

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

  rows.push(...(await suggestionOverhead(hartmannParams)));
  rows.push(hyperbandSaving());
  return rows;
}

/**
 * One suggestion of a study with 1,000 finished trials in the index, as `run --sweep` asks:
 * open the index, read the study's trials (configs, metric, series), close it, run TPE.
 * Trials have 7 swept params, a dozen metrics and a 100-point loss series each.
 */
async function suggestionOverhead(hartmannParams: JsonObject): Promise<BenchRow[]> {
  const dir = benchDir("search");
  try {
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    const s = spec("bayes", { ...hartmannParams, opt: { values: ["adam", "sgd", "rmsprop"] } }, 2000);
    const id = studyId(s, ["python", "train.py"]);
    const history = study(spec("random", hartmannParams, 1000), hartmann6, 7).trials;
    const lines = history.map((t, i) => {
      const config = { ...t.config, opt: ["adam", "sgd", "rmsprop"][i % 3]!, batch: 64, seed: i };
      const results: JsonObject = { f: t.value!, ...Object.fromEntries(Array.from({ length: 11 }, (_, k) => [`m${k}`, (t.value! * (k + 1)) % 1])) };
      const step = Array.from({ length: 100 }, (_, k) => k);
      return documentLine(
        experimentToDocument({
          meta: {
            schema: 1,
            created_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
            created_by: { name: "Bench", email: "bench@example.com" },
            status: "completed",
            name: `trial-${t.index}`,
            sweep: { id, index: t.index, method: "bayes", metric: "f", goal: "minimize" },
          },
          config,
          results,
          series: { f: { step, value: step.map((k) => t.value! + 1 / (1 + k)) } },
          files: {},
        }),
      );
    });
    const docs = join(dir, "trials.ndjson");
    writeFileSync(docs, lines.join(""));
    sh(dir, BIN, ["import", docs]);
    const index = new ExperimentIndex(await openRepository(dir), {});
    await index.open();
    index.close();
    const withIndex: number[] = [];
    const readOnly: number[] = [];
    for (let i = 0; i < 7; i++) {
      withIndex.push(
        await timeMs(async () => {
          const trials = await studyTrials(await index.open(), s, id, true);
          index.close();
          if (trials.length !== 1000) throw new Error(`read ${trials.length} trials, not 1000`);
          nextTrial(s, trials, { studyId: id, samplerSeed: i });
        }),
      );
      readOnly.push(await timeMs(() => nextTrial(spec("random", hartmannParams, 2000), history, { studyId: id, samplerSeed: i })));
    }
    // what run --sweep pays before each suggestion: the index brought up to date, nothing new to read
    const all = await studyTrials(await index.open(), s, id, true);
    index.close();
    const known = new Set(all.map((t) => t.id));
    const again: number[] = [];
    for (let i = 0; i < 7; i++) {
      again.push(
        await timeMs(async () => {
          const fresh = await studyTrials(await index.open(), s, id, true, known);
          index.close();
          if (fresh.length !== 0) throw new Error(`read ${fresh.length} new trials, not 0`);
        }),
      );
    }
    const inProcess: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = process.cpuUsage();
      inProcess.push(await timeMs(() => nextTrial(s, history, { studyId: id, samplerSeed: i })));
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    }
    return [
      { area: "search", name: "bayes suggestion with 1,000 finished trials (7 params): TPE", value: median(inProcess), unit: "ms", baselineName: "random suggestion", baselineValue: median(readOnly), goal: "< 50 ms" },
      { area: "search", name: "the same suggestion, CPU time (what the machine's load does not inflate)", value: median(cpu), unit: "ms", baselineName: "wall time", baselineValue: median(inProcess) },
      { area: "search", name: "reading those 1,000 trials (configs, metric, 100-point series) from the index, when run --sweep starts", value: median(withIndex), unit: "ms" },
      { area: "search", name: "reading the study again before a suggestion, no new trial (index open and sync included)", value: median(again), unit: "ms", baselineName: "the first read", baselineValue: median(withIndex) },
    ];
  } finally {
    if (process.env["KEEP"]) console.error(dir); else removeDir(dir);
  }
}

/**
 * Hyperband (min_iter 3, eta 3) on synthetic learning curves: 27 random trials of up to 81
 * steps, one at a time, judged after every step by the same function the sweep calls;
 * against the same 27 trials run to the end.
 */
function hyperbandSaving(): BenchRow {
  const s = parseSweepSpec(
    { method: "random", metric: { name: "loss", goal: "minimize" }, run_cap: 27, early_terminate: { type: "hyperband", min_iter: 3, eta: 3 }, parameters: { lr: { distribution: "log_uniform_values", min: 1e-4, max: 1 }, floor: { min: 0.0, max: 0.5 } } },
    "bench",
    new Set(["parameters.floor.min", "parameters.floor.max"]),
  );
  const maxSteps = 81;
  // loss falls at a rate set by lr, to a floor; too large an lr diverges a little
  const curveOf = (c: JsonObject): number[] => {
    const lr = c["lr"] as number;
    const floor = c["floor"] as number;
    return Array.from({ length: maxSteps }, (_, k) => floor + Math.exp(-Math.min(lr, 0.3) * 20 * (k + 1) / maxSteps) + (lr > 0.3 ? (lr - 0.3) * 2 : 0));
  };
  const configs = study(s, () => 0, 3).trials.map((t) => t.config);
  const finals = configs.map((c) => curveOf(c)[maxSteps - 1]!);
  const bestIndex = finals.indexOf(Math.min(...finals));
  const done: TrialCurve[] = [];
  let steps = 0;
  let bestSurvived = true;
  configs.forEach((c, i) => {
    const full = curveOf(c);
    const curve: TrialCurve = { id: String(i), state: "running", step: [], value: [] };
    for (let k = 0; k < maxSteps; k++) {
      curve.step.push(k);
      curve.value.push(full[k]!);
      steps++;
      if (trialsToStop(s.earlyTerminate!, "minimize", [...done, curve]).length > 0) {
        if (i === bestIndex) bestSurvived = false;
        curve.state = "stopped";
        break;
      }
    }
    if (curve.state === "running") curve.state = "completed";
    done.push(curve);
  });
  const all = configs.length * maxSteps;
  return {
    area: "search",
    name: `hyperband, 27 trials of up to 81 steps: steps run (best trial ${bestSurvived ? "survives" : "was stopped"})`,
    value: steps,
    unit: "steps",
    baselineName: "no early termination",
    baselineValue: all,
  };
}

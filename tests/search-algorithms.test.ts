import { describe, expect, it } from "vitest";
import { trialsToStop, type TrialCurve } from "../src/analysis/pruning.js";
import { nextTrial, studySize, type StudyTrial } from "../src/analysis/study.js";
import { InvalidInputError } from "../src/core/errors.js";
import type { JsonObject, JsonValue } from "../src/core/json.js";
import { parseSweepSpec, studyId, type SweepSpec } from "../src/core/sweep-spec.js";

function sweep(doc: JsonObject): SweepSpec {
  return parseSweepSpec(doc, "sweep.yaml");
}

function refusal(doc: JsonObject): string {
  try {
    sweep(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

/** Run a study in process against an objective, as the sweep loop does. */
function runStudy(s: SweepSpec, f: (c: JsonObject) => number | null, seed = 0): StudyTrial[] {
  const trials: StudyTrial[] = [];
  for (let t = nextTrial(s, trials, { studyId: "s", samplerSeed: seed }); t; t = nextTrial(s, trials, { studyId: "s", samplerSeed: seed })) {
    const value = f(t.config);
    trials.push({ index: t.index, state: value === null ? "failed" : "completed", config: t.config, value });
  }
  return trials;
}

const metric = { name: "loss", goal: "minimize" };

describe("W&B sweep files", () => {
  it("reads every supported distribution and nested groups", () => {
    const s = sweep({
      method: "random",
      metric,
      run_cap: 3,
      program: "train.py",
      parameters: {
        lr: { distribution: "log_uniform_values", min: 1e-5, max: 1e-1 },
        layers: { min: 1, max: 4 },
        dropout: { min: 0.0, max: 0.5 },
        optimizer: { parameters: { name: { values: ["adam", "sgd"] }, momentum: { value: 0.9 } } },
        width: { distribution: "q_uniform", min: 32, max: 256, q: 32 },
        wd: { distribution: "q_log_uniform_values", min: 1e-4, max: 1, q: 1e-4 },
        noise: { distribution: "normal", mu: 0, sigma: 2 },
        qn: { distribution: "q_normal", mu: 10, sigma: 3, q: 2 },
        scale: { distribution: "log_normal", mu: 0, sigma: 1 },
        e: { distribution: "log_uniform", min: 0, max: 2 },
        c: { distribution: "constant", value: "x" },
        cat: { distribution: "categorical", values: [1, "two", { three: 3 }] },
      },
    });
    expect(s.params.map((p) => p.key)).toEqual(["lr", "layers", "dropout", "optimizer.name", "optimizer.momentum", "width", "wd", "noise", "qn", "scale", "e", "c", "cat"]);
    const trials = runStudy(s, () => 1);
    expect(trials).toHaveLength(3);
    for (const t of trials) {
      const c = t.config as Record<string, JsonValue> & { optimizer: Record<string, JsonValue> };
      expect(c["lr"]).toBeGreaterThanOrEqual(1e-5);
      expect(c["lr"]).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(c["layers"])).toBe(true);
      expect([1, 2, 3, 4]).toContain(c["layers"]);
      expect((c["width"] as number) % 32).toBe(0);
      expect((c["qn"] as number) % 2).toBe(0);
      expect(c["scale"]).toBeGreaterThan(0);
      expect(c["e"]).toBeGreaterThanOrEqual(1);
      expect(c["e"]).toBeLessThanOrEqual(Math.exp(2));
      expect(["adam", "sgd"]).toContain(c.optimizer["name"]);
      expect(c.optimizer["momentum"]).toBe(0.9);
      expect(c["c"]).toBe("x");
      // q rounding leaves no binary noise: 0.0003, not 0.00030000000000000003
      expect(String(c["wd"]).length).toBeLessThan(10);
    }
  });

  it("refuses what it does not do, naming the key", () => {
    const base = { method: "random", metric, run_cap: 5 };
    const cases: [JsonObject, RegExp][] = [
      [{ ...base, method: "hyperopt", parameters: { a: { values: [1] } } }, /method: "hyperopt" is not a method/],
      [{ ...base, parameters: { a: { distribution: "uniformm", min: 0, max: 1 } } }, /parameters\.a\.distribution: 'uniformm' is not a distribution/],
      [{ ...base, parameters: { a: { distribution: "beta", a: 1 } } }, /parameters\.a\.distribution: beta is not supported/],
      [{ ...base, parameters: { a: { min: 2, max: 1 } } }, /parameters\.a\.min: min 2 is above max 1/],
      [{ ...base, parameters: { a: { distribution: "log_uniform_values", min: 0, max: 1 } } }, /parameters\.a\.min: log_uniform_values needs min above 0/],
      [{ ...base, parameters: { a: { values: [] } } }, /parameters\.a\.values: is empty/],
      [{ ...base, method: "bayes", metric: undefined!, parameters: { a: { values: [1] } } }, /metric\.name: method bayes needs the metric/],
      [{ method: "random", run_cap: 2, early_terminate: { type: "hyperband", min_iter: 3 }, parameters: { a: { values: [1] } } }, /metric\.name: early_terminate needs the metric/],
      [{ ...base, run_cap: 0, parameters: { a: { values: [1] } } }, /run_cap: 0: give a whole number above 0/],
      [{ ...base, parameters: { a: { values: [1] } }, command: ["${env}", "python"] }, /^sweep\.yaml: command:/],
      [{ ...base, parameters: { a: { values: [1] } }, bogus: 1 }, /^sweep\.yaml: bogus: unknown key/],
      [{ ...base, parameters: { a: { values: [1], mean: 2 } } }, /parameters\.a\.mean: unknown key/],
      [{ ...base, parameters: { a: { distribution: "uniform", min: 0, max: 1, q: 2 } } }, /parameters\.a\.q: uniform does not take q/],
      [{ ...base, parameters: { a: 5 } }, /parameters\.a: give \{value: x\}/],
      [{ ...base, parameters: {} }, /parameters: missing or empty/],
      [{ ...base, method: "grid", parameters: { a: { min: 0.5, max: 1.5 } } }, /parameters\.a: a grid takes values, value, int_uniform or q_uniform, not uniform/],
      [{ ...base, early_terminate: { type: "hyperband", min_iter: 3, strict: true }, parameters: { a: { values: [1] } } }, /early_terminate\.strict: not supported/],
      [{ ...base, early_terminate: { type: "hyperband", eta: 3 }, parameters: { a: { values: [1] } } }, /early_terminate\.min_iter: hyperband needs min_iter/],
      [{ ...base, early_terminate: { type: "asha" }, parameters: { a: { values: [1] } } }, /early_terminate\.type: "asha": use hyperband or median/],
      [{ ...base, metric: { goal: "minimize" }, parameters: { a: { values: [1] } } }, /metric\.name: missing/],
      [{ ...base, metric: { name: "loss", goal: "lower" }, parameters: { a: { values: [1] } } }, /metric\.goal: "lower"/],
      [{ ...base, parameters: { a: { values: [1, 1] } } }, /parameters\.a\.values: 1 is listed twice/],
    ];
    for (const [doc, message] of cases) expect(refusal(doc)).toMatch(message);
  });

  it("infers int_uniform from integer bounds, as W&B does, unless the file wrote them as floats", () => {
    const doc = { method: "random", run_cap: 1, parameters: { a: { min: 0, max: 1 } } };
    expect(sweep(doc).params[0]).toMatchObject({ distribution: "int_uniform" });
    expect(parseSweepSpec(doc, "f", new Set(["parameters.a.max"])).params[0]).toMatchObject({ distribution: "uniform" });
  });

  it("needs an end: run_cap or --trials for random and bayes", () => {
    const s = sweep({ method: "random", parameters: { a: { min: 0.0, max: 1.0 } } });
    expect(() => studySize(s)).toThrow(/set run_cap in the sweep file or give --trials N/);
    expect(studySize(s, 4)).toBe(4);
    expect(() => studySize(s, 0)).toThrow(/--trials takes a whole number above 0/);
  });

  it("names a study by its file's content and the command", () => {
    const a = sweep({ method: "grid", parameters: { a: { values: [1, 2] } } });
    const b = sweep({ parameters: { a: { values: [1, 2] } }, method: "grid" });
    expect(studyId(a, ["python", "t.py"])).toBe(studyId(b, ["python", "t.py"]));
    expect(studyId(a, ["python", "t.py"])).not.toBe(studyId(a, ["python", "u.py"]));
  });
});

describe("samplers", () => {
  it("walks a grid in nested-loop order, int_uniform and q_uniform enumerated, capped by run_cap", () => {
    const s = sweep({ method: "grid", parameters: { a: { values: ["x", "y"] }, b: { distribution: "int_uniform", min: 1, max: 3 } } });
    const trials = runStudy(s, () => 0);
    expect(trials.map((t) => [t.config["a"], t.config["b"]])).toEqual([["x", 1], ["x", 2], ["x", 3], ["y", 1], ["y", 2], ["y", 3]]);
    const capped = sweep({ method: "grid", run_cap: 2, parameters: { w: { distribution: "q_uniform", min: 0.1, max: 0.5, q: 0.1 } } });
    expect(runStudy(capped, () => 0).map((t) => t.config["w"])).toEqual([0.1, 0.2]);
  });

  it("gives the same trials for the same seed and results, others for another seed", () => {
    const doc = { method: "bayes", metric, run_cap: 15, parameters: { x: { min: -5.0, max: 10.0 }, o: { values: ["a", "b", "c"] } } };
    const f = (c: JsonObject): number => ((c["x"] as number) - 2) ** 2 + (c["o"] === "b" ? 0 : 1);
    const one = runStudy(sweep(doc), f, 7).map((t) => t.config);
    const two = runStudy(sweep(doc), f, 7).map((t) => t.config);
    const other = runStudy(sweep(doc), f, 8).map((t) => t.config);
    expect(two).toEqual(one);
    expect(other).not.toEqual(one);
  });

  it("continues a study from the trials already there, filling the index a person interrupted", () => {
    const s = sweep({ method: "random", run_cap: 4, parameters: { x: { min: 0.0, max: 1.0 } } });
    const full = runStudy(s, () => 1);
    const partial: StudyTrial[] = [full[0]!, { ...full[1]!, state: "interrupted" }, full[2]!];
    const next = nextTrial(s, partial, { studyId: "s" });
    expect(next?.index).toBe(2);
    expect(next?.config).toEqual(full[1]!.config);
    expect(nextTrial(s, full, { studyId: "s" })).toBeNull();
    // a running trial holds its index
    expect(nextTrial(s, [...full.slice(0, 3), { ...full[3]!, state: "running", value: null }], { studyId: "s" })).toBeNull();
  });

  it("learns: bayes puts later trials near the optimum, on the log scale for a log distribution", () => {
    const s = sweep({ method: "bayes", metric, run_cap: 40, parameters: { lr: { distribution: "log_uniform_values", min: 1e-6, max: 1 } } });
    const trials = runStudy(s, (c) => Math.abs(Math.log10(c["lr"] as number) + 3));
    const late = trials.slice(-10).map((t) => t.value!);
    expect(Math.min(...trials.map((t) => t.value!))).toBeLessThan(0.2);
    expect(late.sort((a, b) => a - b)[5]!).toBeLessThan(1);
  });

  it("treats failed trials as bad, not as the end of the study, and maximises when told", () => {
    const s = sweep({ method: "bayes", metric: { name: "acc", goal: "maximize" }, run_cap: 30, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } });
    const trials = runStudy(s, (c) => ((c["x"] as number) > 0.8 ? null : (c["x"] as number)));
    expect(trials).toHaveLength(30);
    expect(trials.some((t) => t.state === "failed")).toBe(true);
    expect(Math.max(...trials.filter((t) => t.value !== null).map((t) => t.value!))).toBeGreaterThan(0.7);
  });

  it("stops once a trial reaches metric.target", () => {
    const s = sweep({ method: "random", metric: { name: "loss", target: 0.5 }, run_cap: 50, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } });
    const trials = runStudy(s, (c) => c["x"] as number);
    expect(trials.length).toBeLessThan(50);
    expect(trials[trials.length - 1]!.value).toBeLessThanOrEqual(0.5);
  });
});

function curve(id: string, state: TrialCurve["state"], values: number[]): TrialCurve {
  return { id, state, step: values.map((_, i) => i), value: values };
}

describe("pruners", () => {
  const hb = (extra: JsonObject): SweepSpec =>
    sweep({ method: "random", metric, run_cap: 9, early_terminate: { type: "hyperband", ...extra }, parameters: { a: { values: [1] } } });

  it("hyperband: brackets as W&B computes them", () => {
    const fromMin = hb({ min_iter: 3, eta: 3 }).earlyTerminate!;
    expect(fromMin.type === "hyperband" && fromMin.bands.slice(0, 4)).toEqual([3, 9, 27, 81]);
    expect(hb({ max_iter: 27, s: 2, eta: 3 }).earlyTerminate).toMatchObject({ bands: [3, 9] });
    expect(hb({ max_iter: 5, s: 2, eta: 2 }).earlyTerminate).toMatchObject({ bands: [1, 2] });
  });

  it("hyperband: stops the running trials below a bracket's cut-off (W&B's own example)", () => {
    const rule = hb({ max_iter: 5, s: 2, eta: 2 }).earlyTerminate!;
    const stops = trialsToStop(rule, "minimize", [
      curve("a", "completed", [10, 9]),
      curve("b", "running", [10, 10]),
      curve("c", "running", [10, 8, 8]),
      curve("d", "running", [10, 7, 7]),
      curve("e", "completed", [10, 6, 6]),
    ]);
    expect(stops.map((s) => s.id).sort()).toEqual(["b", "c"]);
    expect(stops.find((s) => s.id === "c")).toEqual({ id: "c", rule: "hyperband", atStep: 2 });
    // the same, maximised: negated values give the same decisions
    const neg = (c: TrialCurve): TrialCurve => ({ ...c, value: c.value.map((v) => -v) });
    const again = trialsToStop(rule, "maximize", [
      neg(curve("a", "completed", [10, 9])),
      neg(curve("b", "running", [10, 10])),
      neg(curve("e", "completed", [10, 6, 6])),
    ]);
    expect(again.map((s) => s.id)).toEqual(["b"]);
  });

  it("hyperband: a trial alone at a bracket, or not there yet, runs on", () => {
    const rule = hb({ min_iter: 2, eta: 3 }).earlyTerminate!;
    expect(trialsToStop(rule, "minimize", [curve("a", "running", [5, 5, 5])])).toEqual([]);
    expect(trialsToStop(rule, "minimize", [curve("a", "completed", [1, 1, 1]), curve("b", "running", [9])])).toEqual([]);
  });

  it("median: stops a trial whose best so far is worse than the completed trials' median at its step", () => {
    const rule = sweep({ method: "random", metric, run_cap: 9, early_terminate: { type: "median", min_iter: 1, n_startup_trials: 2 }, parameters: { a: { values: [1] } } })
      .earlyTerminate!;
    const done = [curve("a", "completed", [5, 4, 3]), curve("b", "completed", [5, 2, 1])];
    expect(trialsToStop(rule, "minimize", [...done, curve("c", "running", [5, 3.5])])).toEqual([{ id: "c", rule: "median", atStep: 1 }]);
    expect(trialsToStop(rule, "minimize", [...done, curve("c", "running", [5, 2.5])])).toEqual([]);
    // before min_iter, and with fewer completed trials than n_startup_trials, nothing is stopped
    expect(trialsToStop(rule, "minimize", [...done, curve("c", "running", [9])])).toEqual([]);
    expect(trialsToStop(rule, "minimize", [done[0]!, curve("c", "running", [9, 9])])).toEqual([]);
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runSweep } from "../src/api/sweep.js";
import { ChildRun } from "../src/capture/child.js";
import { MetricsTail } from "../src/capture/metrics-tail.js";
import { planRun } from "../src/capture/run-plan.js";
import { parseSweepSpec } from "../src/core/sweep-spec.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

/** A training script: loss curves from its config; a bad config learns slowly (and slowly runs). */
const TRAIN = `import json, os, sys, time
c = json.load(open(os.environ["GIT_EXP_CONFIG"]))
print("cwd " + os.getcwd(), file=sys.stderr)
lr = c.get("lr", 0.1)
if lr < 0:
    sys.exit(3)
with open(os.environ["GIT_EXP_METRICS"], "a") as m:
    for step in range(c.get("steps", 4)):
        loss = (1.0 / (1 + step * lr)) if lr < 1 else 5.0 + 1.0 / (1 + step)
        m.write(json.dumps({"step": step, c.get("name", "loss"): loss}) + "\\n")
        m.flush()
        if lr >= 1:
            time.sleep(0.1)
`;

function repoWith(files: Record<string, string>): string {
  const dir = makeRepo({ commit: true });
  writeFileSync(join(dir, "train.py"), TRAIN);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  git(dir, ["add", "."]);
  git(dir, ["commit", "-q", "-m", "train"]);
  return dir;
}

async function meta(dir: string, id: string): Promise<Record<string, unknown>> {
  return JSON.parse(git(dir, ["show", `${id}:experiment.json`])) as Record<string, unknown>;
}

describe("run --sweep: a W&B sweep file", () => {
  test("bad sweep files and options are refused with exit 2, naming the key, before anything runs", async () => {
    const dir = repoWith({});
    const before = repoSnapshot(dir);
    const cases: [string, string[], RegExp][] = [
      ["method: hyperopt\nparameters: {lr: {values: [1]}}\n", [], /method: "hyperopt" is not a method/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {distribution: uniformm, min: 0.0, max: 1.0}\n", [], /parameters\.lr\.distribution: 'uniformm' is not a distribution/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {min: 2.0, max: 1.0}\n", [], /parameters\.lr\.min: min 2 is above max 1/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {distribution: log_uniform_values, min: 0, max: 1}\n", [], /needs min above 0/],
      ["method: grid\nparameters:\n  lr: {values: []}\n", [], /parameters\.lr\.values: is empty/],
      ["method: bayes\nrun_cap: 2\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", [], /metric\.name: method bayes needs the metric/],
      ["method: random\nrun_cap: 2\nearly_terminate: {type: hyperband, min_iter: 2}\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", [], /metric\.name: early_terminate needs the metric/],
      ["method: random\nrun_cap: 0\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", [], /run_cap: 0: give a whole number above 0/],
      ["method: random\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", [], /set run_cap in the sweep file or give --trials N/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {min: 0.0, max: 1.0}\nscheduler: {engine: optuna}\n", [], /scheduler: custom schedulers are not supported/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", ["--trials", "0"], /--trials takes a whole number from 1/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", ["-p", "steps=1,2"], /give -p and --seed one value each/],
      ["method: random\nrun_cap: 2\nparameters:\n  lr: {min: 0.0, max: 1.0}\n", ["--sampler-seed", "x"], /--sampler-seed takes a number/],
    ];
    for (const [text, extra, message] of cases) {
      writeFileSync(join(dir, "bad.yaml"), text);
      const r = await cli(dir, ["run", "--sweep", "bad.yaml", ...extra, "--", "python3", "train.py"]);
      expect(r.code, `${text} ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await cli(dir, ["run", "--sweep", "nope.yaml", "--", "python3", "train.py"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/sweep file \S*nope\.yaml does not exist/);
    expect(missing.stderr).not.toMatch(/file file/);
    expect(await cli(dir, ["run", "--trials", "3", "--", "python3", "train.py"])).toMatchObject({ code: 2 });
    expect(repoSnapshot(dir)).toBe(before);
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).toBe("");
  }, 60_000);

  test("random: trials record sweep {id, index, method}; running it again continues the study; --sampler-seed repeats it", async () => {
    const sweep = "method: random\nmetric: {name: loss, goal: minimize}\nrun_cap: 2\nparameters:\n  lr: {distribution: log_uniform_values, min: 0.001, max: 0.5}\n  steps: {value: 3}\n  model:\n    parameters:\n      act: {values: [relu, gelu]}\n";
    const dir = repoWith({ "sweep.yaml": sweep });
    const r = await cli(dir, ["run", "--sweep", "sweep.yaml", "--sampler-seed", "4", "--json", "--", "python3", "train.py"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { sweep: string; trials: { id: string; index: number; varying: Record<string, unknown> }[]; best: { index: number } };
    expect(out.trials.map((t) => t.index)).toEqual([1, 2]);
    expect(r.stderr).toMatch(/2 trial\(s\) run, 2 completed, 0 stopped early, 0 failed/);
    expect(r.stderr).toMatch(/best so far: trial \d/);
    const m = await meta(dir, out.trials[1]!.id);
    expect(m["sweep"]).toMatchObject({ id: out.sweep, index: 2, method: "random", metric: "loss", goal: "minimize" });
    const config = JSON.parse(git(dir, ["show", `${out.trials[1]!.id}:config.json`])) as { lr: number; steps: number; model: { act: string } };
    expect(config.steps).toBe(3);
    expect(["relu", "gelu"]).toContain(config.model.act);
    expect(config.lr).toBeGreaterThanOrEqual(0.001);
    // run in place one at a time: the trial saw the work tree itself
    expect(git(dir, ["show", `${out.trials[0]!.id}:log.txt`])).toContain(`cwd ${dir}\n`);
    // again, two more at once: the study continues at trial 3, whoever ran the first two
    const more = await cli(dir, ["run", "--sweep", "sweep.yaml", "--sampler-seed", "4", "--trials", "4", "-j", "2", "--json", "--", "python3", "train.py"]);
    expect(more.code, more.stderr).toBe(0);
    const next = JSON.parse(more.stdout) as { sweep: string; trials_before: number; trials: { id: string; index: number }[] };
    expect(next.sweep).toBe(out.sweep);
    expect(next.trials_before).toBe(2);
    expect(next.trials.map((t) => t.index).sort()).toEqual([3, 4]);
    // -j 2: each trial ran in its own copy of the work tree, as -j sweep points do
    const cwds = next.trials.map((t) => /^cwd (.*)$/m.exec(git(dir, ["show", `${t.id}:log.txt`]))![1]!);
    expect(new Set(cwds).size).toBe(2);
    for (const c of cwds) expect(c).not.toBe(dir);
    // the same file and seed in another clone suggest the same configs
    const other = repoWith({ "sweep.yaml": sweep });
    const again = JSON.parse((await cli(other, ["run", "--sweep", "sweep.yaml", "--sampler-seed", "4", "--json", "--", "python3", "train.py"])).stdout) as typeof out;
    expect(again.sweep).toBe(out.sweep);
    expect(again.trials.map((t) => t.varying)).toEqual(out.trials.map((t) => t.varying));
    // the study, listed and queried
    const list = await cli(dir, ["sweeps", "--json"]);
    const studies = JSON.parse(list.stdout) as { id: string; trials: number; completed: number; best: { index: number } | null }[];
    expect(studies).toMatchObject([{ id: out.sweep, trials: 4, completed: 4 }]);
    expect(studies[0]!.best).not.toBeNull();
    const ls = await cli(dir, ["ls", "--sweep", out.sweep.slice(0, 6), "--json"]);
    expect(JSON.parse(ls.stdout)).toHaveLength(4);
    const where = await cli(dir, ["ls", "--where", `sweep.id = '${out.sweep}' and sweep.index <= 2`, "--json"]);
    expect(JSON.parse(where.stdout)).toHaveLength(2);
    expect((await cli(dir, ["ls", "--sweep", "zz"])).code).toBe(2);
  }, 180_000);

  test("hyperband stops a trial below the bracket's cut-off: interrupted, pruned, not a failure; a failed trial is recorded and the sweep goes on", async () => {
    const sweep = [
      "method: grid",
      "metric: {name: loss, goal: minimize}",
      "early_terminate: {type: hyperband, min_iter: 2, eta: 3}",
      "parameters:",
      "  lr: {values: [0.5, -1, 5.0]}",
      "  steps: {value: 60}",
    ].join("\n");
    const dir = repoWith({ "sweep.yaml": sweep + "\n" });
    const r = await cli(dir, ["run", "--sweep", "sweep.yaml", "--json", "--", "python3", "train.py"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { trials: { id: string; index: number; status: string; pruned?: { rule: string; at_step: number } }[]; stopped_early: number; failed: number };
    // a good trial, one that fails (lr < 0), a bad one that learns slowly
    expect(out.trials.map((t) => t.status)).toEqual(["completed", "failed", "interrupted"]);
    expect(out.stopped_early).toBe(1);
    expect(out.failed).toBe(1);
    const pruned = out.trials[2]!;
    expect(pruned.pruned?.rule).toBe("hyperband");
    expect(pruned.pruned!.at_step).toBeGreaterThanOrEqual(2);
    const m = await meta(dir, pruned.id);
    expect(m["status"]).toBe("interrupted");
    expect(m["pruned"]).toEqual({ rule: "hyperband", at_step: pruned.pruned!.at_step });
    expect(r.stderr).toMatch(/3 trial\(s\) run, 1 completed, 1 stopped early, 1 failed/);
    const q = await cli(dir, ["ls", "--where", "pruned.rule = 'hyperband'", "--json"]);
    expect(JSON.parse(q.stdout)).toHaveLength(1);
  }, 120_000);

  test("the study is read again before each suggestion: a trial recorded meanwhile (another machine's, pulled) is not run twice", async () => {
    const dir = repoWith({});
    const spec = parseSweepSpec({ method: "random", run_cap: 3, parameters: { lr: { min: 0.01, max: 0.5 }, steps: { value: 1 } } }, "sweep.yaml");
    const plan = await planRun({ command: ["python3", "train.py"], cwd: dir, environ: process.env });
    const store = new ExperimentStore(await openRepository(dir));
    const known: number[] = [];
    const foreign = "f".repeat(40);
    try {
      const summary = await runSweep(store, {
        spec,
        plan,
        // the third read (after trial 1 was recorded) finds trial 2, recorded elsewhere meanwhile
        readTrials: async (_id, seen) => {
          known.push(seen.size);
          return known.length === 3 ? [{ id: foreign, index: 2, state: "completed", config: { lr: 0.1, steps: 1 }, value: null, created_at: "2026-12-01T00:00:00.000Z", curve: { id: foreign, state: "completed", step: [], value: [] } }] : [];
        },
      });
      expect(summary.outcomes.map((o) => o.trial)).toEqual([1, 3]);
      expect(known).toEqual([0, 0, 1, 3]);
    } finally {
      await store.close();
    }
  }, 60_000);

  test("early termination's signal marks only a command still running: one that has exited is recorded as it ended", async () => {
    const tail = (): MetricsTail => new MetricsTail(join(tempDir(), "none.jsonl"));
    const ended = await ChildRun.start({ argv: ["true"], cwd: process.cwd(), env: process.env, metrics: tail() });
    const done = await ended.done;
    // the pruning pass that looked while this trial finished: nothing delivered, nothing marked
    expect(ended.interrupt("SIGTERM")).toBe(false);
    expect(done).toMatchObject({ exitCode: 0, interruptedBy: null });
    const running = await ChildRun.start({ argv: ["sleep", "30"], cwd: process.cwd(), env: process.env, metrics: tail() });
    expect(running.interrupt("SIGTERM")).toBe(true);
    expect(await running.done).toMatchObject({ signal: "SIGTERM", interruptedBy: "SIGTERM" });
  });

  test("a metric the trials never log is said after the first finished trial (exit 2)", async () => {
    const dir = repoWith({ "sweep.yaml": "method: random\nmetric: {name: val_loss}\nrun_cap: 20\nparameters:\n  lr: {min: 0.01, max: 0.5}\n" });
    const r = await cli(dir, ["run", "--sweep", "sweep.yaml", "--", "python3", "train.py"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the sweep's metric val_loss is not among the results of trial 1 \(loss\)/);
    expect(git(dir, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(1);
  }, 60_000);
});

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, binary, cleanup, makeRepo, tempDir } from "./helpers/repo.js";
import { PYTHON, PYTHON_PACKAGE, experimentsOf, python } from "./helpers/python.js";

beforeAll(() => {
  if (!existsSync(join(BIN, "..", "..", "dist", "src", "cli-bundle", "git-exp.cjs"))) throw new Error("run npm run build first");
});
afterAll(cleanup);

const PY_ENV = { PYTHONPATH: PYTHON_PACKAGE, PYTHONDONTWRITEBYTECODE: "1" };

/** W&B's quick start (init with project and config, log per epoch, finish), then its summary guide, then its step rules. */
const WANDB_SCRIPT = `import random
import git_exp.wandb as wandb

# the quick start
random.seed(0)
epochs, lr = 10, 0.01
run = wandb.init(project="my-awesome-project", name="quickstart", config={"learning_rate": lr, "epochs": epochs})
offset = random.random() / 5
for epoch in range(2, epochs):
    acc = 1 - 2 ** -epoch - random.random() / epoch - offset
    loss = 2 ** -epoch + random.random() / epoch + offset
    wandb.log({"acc": acc, "loss": loss})
assert wandb.config.learning_rate == lr and wandb.config["epochs"] == epochs
wandb.config.update({"batch_size": 32})
wandb.config.dropout = 0.2
run.finish()

# the summary guide: define_metric aggregates, a value set by hand
with wandb.init(project="summary-demo", name="summary", config={"epochs": 10}, tags=["guide"], notes="custom summary") as run:
    wandb.define_metric("loss", summary="min")
    wandb.define_metric("accuracy", summary="max")
    wandb.define_metric("val/*", summary="best", goal="minimize")
    best = 0
    for epoch, (a, l) in enumerate([(0.5, 0.9), (0.8, 0.3), (0.7, 0.4)]):
        run.log({"accuracy": a, "loss": l, "val/loss": l + 0.1})
        if a > best:
            run.summary["best_accuracy"] = best = a

# W&B's step rules
run = wandb.init(name="steps", group="g1")
wandb.log({"a": 1})                     # step 0
wandb.log({"b": 2}, commit=False)       # waits at step 1
wandb.log({"a": 3})                     # step 1, with b
wandb.log({"c": 4}, step=5)             # moves to step 5, not committed yet
wandb.log({"d": 5}, step=5)             # same step
wandb.log({"e": 6}, step=2)             # below the current step: ignored with a warning
wandb.log({"f": 7}, step=6, commit=True)
wandb.log({"g": 8})                     # step 7
assert run.summary["g"] == 8
wandb.finish()

# what is not supported is refused, never dropped
wandb.init(mode="disabled")
for make in (lambda: wandb.Image([[0, 1], [1, 0]]), lambda: wandb.Table(columns=["a"]), lambda: wandb.Artifact("m", type="model"), lambda: run.log_artifact("m")):
    try:
        make()
        raise SystemExit("not refused")
    except wandb.GitExpError as e:
        print("refused:", e)
try:
    wandb.plot
except AttributeError as e:
    print("refused:", e)
wandb.finish()
`;

describe("git_exp.wandb: W&B's own call sequences, standalone", () => {
  it("quick start, summary guide and step rules record what W&B would show", async () => {
    const dir = makeRepo({ commit: true });
    const r = python(dir, WANDB_SCRIPT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("refused: Image(list) is not supported yet: save the image to a file");
    expect(r.stdout).toContain("refused: wandb.Table is not supported by git_exp yet");
    expect(r.stdout).toContain("refused: wandb.Artifact is not supported by git_exp yet");
    expect(r.stdout).toContain("refused: run.log_artifact (W&B Artifacts) is not supported by git_exp yet");
    expect(r.stdout).toContain("refused: git_exp.wandb has no plot: not supported yet");
    expect(r.stderr).toContain("wandb.log: step 2 is below the current step 5: these values are not recorded");
    const byName = Object.fromEntries((await experimentsOf(dir)).map((e) => [e.meta.name, e]));
    expect(Object.keys(byName).sort()).toEqual(["quickstart", "steps", "summary"]); // disabled records nothing

    const quick = byName["quickstart"]!;
    expect(quick.config).toEqual({ learning_rate: 0.01, epochs: 10, batch_size: 32, dropout: 0.2 });
    expect(quick.meta.tags).toEqual(["project=my-awesome-project"]);
    expect(quick.series["acc"]!.step).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(quick.results["acc"]).toBe(quick.series["acc"]!.value.at(-1));
    expect(quick.results["loss"]).toBe(quick.series["loss"]!.value.at(-1));

    const summary = byName["summary"]!;
    expect(summary.meta).toMatchObject({ tags: ["guide", "project=summary-demo"], message: "custom summary" });
    // W&B's summary names: the aggregate after the metric's name
    expect(summary.results).toEqual({ "accuracy.max": 0.8, "loss.min": 0.3, "val/loss.best": 0.4, best_accuracy: 0.8 });

    const steps = byName["steps"]!;
    expect(steps.meta.tags).toEqual(["group=g1"]);
    const stepsOf = (k: string): number[] | undefined => steps.series[k]?.step;
    expect([stepsOf("a"), stepsOf("b"), stepsOf("c"), stepsOf("d"), stepsOf("e"), stepsOf("f"), stepsOf("g")]).toEqual([
      [0, 1], [1], [5], [5], undefined, [6], [7],
    ]);
    expect(steps.results).toEqual({ a: 3, b: 2, c: 4, d: 5, f: 7, g: 8 });
  });

  it("finish(exit_code=3) fails a run; one left unfinished is recorded at exit with its pending step and summary; one that raises is failed", async () => {
    const dir = makeRepo({ commit: true });
    const left = python(dir, `import git_exp.wandb as wandb
wandb.init(name="exit-code")
wandb.log({"a": 0})
wandb.finish(exit_code=3)
wandb.init(name="unfinished")
wandb.log({"a": 1}, step=3)
wandb.summary["note"] = 1
`);
    expect(left.code, left.stderr).toBe(0);
    const r = python(dir, `import git_exp.wandb as wandb
wandb.init(name="raises")
wandb.log({"a": 2})
raise RuntimeError("out of memory")
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RuntimeError: out of memory");
    const byName = Object.fromEntries((await experimentsOf(dir)).map((e) => [e.meta.name, e]));
    expect(byName["unfinished"]!.meta.status).toBe("completed");
    expect(byName["unfinished"]!.series["a"]!.step).toEqual([3]);
    expect(byName["unfinished"]!.results).toEqual({ a: 1, note: 1 });
    expect(byName["raises"]!.meta).toMatchObject({ status: "failed", exit_code: 1 });
    expect(byName["exit-code"]!.meta).toMatchObject({ status: "failed", exit_code: 3 });
  });
});

/** MLflow's tracking quick start (params, a metric, a tag, an artifact) and its fluent calls without start_run. */
const MLFLOW_SCRIPT = `import git_exp.mlflow as mlflow

mlflow.set_tracking_uri("http://127.0.0.1:8080")
mlflow.set_experiment("MLflow Quickstart")
params = {"solver": "lbfgs", "max_iter": 1000, "multi_class": "auto", "random_state": 8888}
with mlflow.start_run(run_name="quickstart", tags={"team": "ml"}) as run:
    mlflow.log_params(params)
    mlflow.log_metric("accuracy", 0.97)
    mlflow.set_tag("Training Info", "Basic LR model for iris data")
    with open("model.txt", "w") as f:
        f.write("weights")
    mlflow.log_artifact("model.txt")
    mlflow.log_dict({"classes": [0, 1, 2]}, "classes.json")
    for epoch in range(3):
        mlflow.log_metric("loss", 1 / (epoch + 1), step=epoch)
    mlflow.log_metrics({"precision": 0.9, "recall": 0.8})
    mlflow.autolog()
    assert mlflow.active_run() is run
assert mlflow.active_run() is None

mlflow.set_experiment(None)
mlflow.log_param("param1", 5)       # no start_run: the first call starts one, as in MLflow
mlflow.log_metric("foo", 1)
mlflow.log_metric("foo", 2)
mlflow.log_metric("foo", 3)
mlflow.set_tag("mlflow.runName", "fluent")
mlflow.end_run()

mlflow.start_run(run_name="killed", description="stopped by hand")
mlflow.log_metric("bar", 1)
mlflow.end_run(status="KILLED")
mlflow.start_run(run_name="left-open")
mlflow.log_metric("bar", 2)
`;

describe("git_exp.mlflow: MLflow's own call sequences, standalone", () => {
  it("quick start, fluent calls and end_run statuses", async () => {
    const dir = makeRepo({ commit: true });
    const r = python(dir, MLFLOW_SCRIPT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("mlflow.autolog() does nothing in git_exp");
    const byName = Object.fromEntries((await experimentsOf(dir)).map((e) => [e.meta.name, e]));
    expect(Object.keys(byName).sort()).toEqual(["fluent", "killed", "left-open", "quickstart"]);

    const quick = byName["quickstart"]!;
    expect(quick.config).toEqual({ solver: "lbfgs", max_iter: 1000, multi_class: "auto", random_state: 8888 });
    expect(quick.meta.tags).toEqual(["team=ml", "experiment=MLflow_Quickstart", "Training_Info=Basic_LR_model_for_iris_data"]);
    expect(quick.results).toEqual({ accuracy: 0.97, loss: 1 / 3, precision: 0.9, recall: 0.8 });
    expect(quick.series["loss"]!.step).toEqual([0, 1, 2]);
    expect(quick.outputs!["model.txt"]).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: 7 });
    expect(quick.outputs!["classes.json"]!.size).toBeGreaterThan(0);
    expect(JSON.parse(Buffer.from(quick.files["artifacts/classes.json"]!).toString())).toEqual({ classes: [0, 1, 2] });

    const fluent = byName["fluent"]!;
    expect(fluent.config).toEqual({ param1: 5 });
    expect(fluent.series["foo"]).toEqual({ step: [0, 1, 2], value: [1, 2, 3] }); // each metric counts its own points
    expect(byName["killed"]!.meta).toMatchObject({ status: "interrupted", message: "stopped by hand" });
    expect(byName["left-open"]!.meta.status).toBe("completed"); // finished at exit
  });

  it("refuses nested and resumed runs, and what it does not have", () => {
    const dir = makeRepo({ commit: true });
    const r = python(dir, `import git_exp.mlflow as mlflow
from git_exp import GitExpError
mlflow.start_run()
for call in (lambda: mlflow.start_run(nested=True), lambda: mlflow.start_run(), lambda: mlflow.sklearn):
    try:
        call()
    except (GitExpError, AttributeError) as e:
        print("refused:", e)
mlflow.end_run()
try:
    mlflow.start_run(run_id="abc")
except GitExpError as e:
    print("refused:", e)
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("refused: nested runs (start_run(nested=True)) are not supported yet");
    expect(r.stdout).toContain("refused: a run is already active: end it with mlflow.end_run() first");
    expect(r.stdout).toContain("refused: git_exp.mlflow has no sklearn: not supported yet");
    expect(r.stdout).toContain("refused: resuming a run (start_run(run_id=...)) is not supported");
  });
});

describe("the shims inside git exp run", () => {
  it("W&B and MLflow scripts log into the run git exp run started; their config is the recorded one", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "wb.py"), `import git_exp.wandb as wandb
run = wandb.init(project="p", config={"learning_rate": 0.01, "epochs": 2})
for e in range(wandb.config.epochs):
    wandb.log({"loss": wandb.config.learning_rate * (e + 1)})
run.summary["best"] = 1
wandb.finish()
`);
    const wb = binary(dir, ["run", "--name", "wb", "-p", "learning_rate=0.5", "--", PYTHON, "wb.py"], { env: PY_ENV });
    expect(wb.code, wb.stderr).toBe(0);
    expect(wb.stderr).toContain("learning_rate=0.01 is ignored, the run has 0.5; epochs is not recorded");
    writeFileSync(join(dir, "ml.py"), `import git_exp.mlflow as mlflow
with mlflow.start_run():
    mlflow.log_param("depth", 3)
    mlflow.log_metric("acc", 0.5, step=1)
    mlflow.log_metric("acc", 0.7, step=2)
`);
    const ml = binary(dir, ["run", "--name", "ml", "-p", "depth=4", "--", PYTHON, "ml.py"], { env: PY_ENV });
    expect(ml.code, ml.stderr).toBe(0);
    expect(ml.stderr).toContain("depth=3 is ignored, the run has 4");
    const byName = Object.fromEntries((await experimentsOf(dir)).map((e) => [e.meta.name, e]));
    expect(Object.keys(byName).sort()).toEqual(["ml", "wb"]); // one experiment each: no second run started
    expect(byName["wb"]!.config).toEqual({ learning_rate: 0.5 });
    expect(byName["wb"]!.series["loss"]).toEqual({ step: [0, 1], value: [0.5, 1] });
    expect(byName["wb"]!.results).toEqual({ loss: 1, best: 1 });
    expect(byName["ml"]!.config).toEqual({ depth: 4 });
    expect(byName["ml"]!.series["acc"]).toEqual({ step: [1, 2], value: [0.5, 0.7] });
  });

  it("outside a repository the shims raise GitExpError at init, like the core", () => {
    const dir = tempDir();
    const r = python(dir, `import git_exp.wandb as wandb, git_exp.mlflow as mlflow
for start in (lambda: wandb.init(project="p"), lambda: mlflow.start_run()):
    try:
        start()
    except wandb.GitExpError as e:
        print("refused:", e)
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/is not in a git repository/g)).toHaveLength(2);
  });
});

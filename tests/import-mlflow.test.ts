import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterEach(cleanup);

const MLRUNS = join(FIXTURES, "mlruns");
const E = "412847356180923415";

interface Summary {
  runs: number;
  created: number;
  existing: number;
  skipped: { run: string }[];
  bad: { run: string; reason: string }[];
}

async function showJson(dir: string, spec: string): Promise<Record<string, any>> {
  const r = await cli(dir, ["show", spec, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

describe("import --from mlflow", () => {
  it("imports every good run, reports the broken ones per run, skips deleted ones", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["import", "--from", "mlflow", MLRUNS, "--json"]);
    expect(r.code).toBe(2); // some runs were bad
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.created).toBe(5);
    expect(s.skipped.map((x) => x.run)).toEqual([`${E}/1b2c3d4e5f60718293a4b5c6d7e8f90a`]);
    expect(s.bad.map((x) => x.run).sort()).toEqual(
      [`${E}/2c3d4e5f60718293a4b5c6d7e8f90a1b`, `${E}/3d4e5f60718293a4b5c6d7e8f90a1b2c`, `${E}/4e5f60718293a4b5c6d7e8f90a1b2c3d`].sort(),
    );
    expect(s.bad.find((b) => b.run.endsWith("0a1b"))!.reason).toContain("metrics/loss line 2");
    expect(s.bad.find((b) => b.run.endsWith("1b2c"))!.reason).toContain("meta.yaml is missing");
    expect(r.stderr).toContain("run skipped");
    expect(git(dir, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(5);
  });

  it("maps name, start time, user, status, git commit, params, metric histories and tags", async () => {
    const dir = makeRepo({ commit: true });
    await cli(dir, ["import", "--from", "mlflow", MLRUNS]);
    const d = await showJson(dir, "brave-owl-42");
    const meta = d["experiment"];
    expect(meta.created_at).toBe("2024-06-01T00:00:00.123Z");
    expect(meta.created_by).toEqual({ name: "ada", email: "" });
    expect(meta.status).toBe("completed");
    expect(meta.duration_s).toBeCloseTo(360.333);
    expect(meta.source).toEqual({ commit: "3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a098", branch: "main", dirty: false });
    expect(meta.message).toBe("first full sweep point\nlooks stable");
    expect(meta.tags).toEqual(["baseline", "team=vision"]);
    expect(meta.mlflow.run_id).toBe("5c1e3f7a9b2d4e6f8a0b1c2d3e4f5a6b");
    expect(meta.mlflow.experiment_name).toBe("resnet-sweep");
    expect(meta.mlflow.tags.priority).toBe("high value");
    expect(d["config"]).toEqual({
      lr: 0.001,
      batch_size: 64,
      optimizer: "adam",
      use_amp: true,
      weight_decay: 1e-5,
      "model/depth": 50,
      version: "1.10",
    });
    expect(d["results"]).toEqual({ loss: 0.64, val_acc: 0.83, "train/grad_norm": "NaN", epoch_time: 88.2 });
    expect(d["series"]["loss"]).toEqual({
      step: [0, 1, 2, 3],
      value: [2.31, 1.52, 0.97, 0.64],
      time: [1717200010000, 1717200020000, 1717200030000, 1717200040000],
    });
    expect(d["series"]["epoch_time"]).toBeUndefined();
    expect(Object.keys(d["outputs"]).sort()).toEqual(["artifacts/metrics.csv", "artifacts/model/MLmodel"]);

    expect((await showJson(dir, "calm-fox-7"))["experiment"].status).toBe("failed");
    expect((await showJson(dir, "calm-fox-7"))["results"].loss).toBe("Infinity");
    expect((await showJson(dir, "quick-elk-3"))["experiment"].status).toBe("interrupted");
    expect((await showJson(dir, "still-running"))["experiment"].status).toBe("interrupted");
    const old = await showJson(dir, "old-style-run");
    expect(old["experiment"].status).toBe("completed");
    expect(old["experiment"].mlflow.experiment_name).toBe("bert: finetune");
    expect(old["series"]["f1"].step).toEqual([0, 0]);
    expect(old["results"]).toEqual({ f1: 0.74 });
  });

  it("is idempotent: a second import creates nothing", async () => {
    const dir = makeRepo({ commit: true });
    await cli(dir, ["import", "--from", "mlflow", MLRUNS]);
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["import", "--from", "mlflow", MLRUNS, "--json"]);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.created).toBe(0);
    expect(s.existing).toBe(5);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("accepts the project folder that holds mlruns/", async () => {
    const project = tempDir();
    cpSync(MLRUNS, join(project, "mlruns"), { recursive: true });
    rmSync(join(project, "mlruns", E), { recursive: true });
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["import", "--from", "mlflow", project, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Summary).created).toBe(1);
  });

  it("refuses a path that is missing, a file, or not a file store, writing nothing", async () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const file = join(tempDir(), "x.txt");
    writeFileSync(file, "x");
    expect((await cli(dir, ["import", "--from", "mlflow", join(tempDir(), "nope")])).code).toBe(3);
    expect((await cli(dir, ["import", "--from", "mlflow", file])).code).toBe(2);
    const r = await cli(dir, ["import", "--from", "mlflow", tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not an MLflow file store");
    expect(repoSnapshot(dir)).toBe(before);
  });
});

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, FIXTURES, ROOT, binary, cleanup, makeRepo, tempDir } from "./helpers/repo.js";
import { PYTHON_PACKAGE, experimentsOf, onlyExperiment, python, scientificPython } from "./helpers/python.js";

beforeAll(() => {
  if (!existsSync(join(BIN, "..", "..", "dist", "src", "cli-bundle", "git-exp.cjs"))) throw new Error("run npm run build first");
});
afterAll(cleanup);

const EXAMPLES = join(FIXTURES, "python");
const PY_ENV = { PYTHONPATH: PYTHON_PACKAGE, PYTHONDONTWRITEBYTECODE: "1" };

describe("fixtures/python examples", () => {
  it("notebook.py: init in one cell, log in the next, finish in the last, with plain python3", async () => {
    const dir = makeRepo({ commit: true });
    const r = python(dir, readFileSync(join(EXAMPLES, "notebook.py"), "utf8"), { file: "notebook.py" });
    expect(r.code, r.stderr).toBe(0);
    const exp = await onlyExperiment(dir);
    expect(r.stdout.trim()).toBe(exp.id);
    expect(exp.meta).toMatchObject({ name: "notebook-descent", tags: ["notebook"], status: "completed" });
    expect(exp.config).toEqual({ lr: 0.1, steps: 25 });
    expect(exp.series["loss"]!.step).toHaveLength(25);
    expect(exp.results["x"]).toBeCloseTo(3, 1);
  });

  it("digits_wandb.py: scikit-learn through the W&B shim, as it is and under git exp run", async () => {
    const py = scientificPython();
    const dir = makeRepo({ commit: true });
    const alone = python(dir, readFileSync(join(EXAMPLES, "digits_wandb.py"), "utf8"), { python: py, file: "digits_wandb.py" });
    expect(alone.code, alone.stderr).toBe(0);
    const run = binary(dir, ["run", "--name", "alpha-0.001", "-p", "alpha=0.001", "--", py, "digits_wandb.py"], { env: PY_ENV });
    expect(run.code, run.stderr).toBe(0);
    const [first, second] = await experimentsOf(dir);
    for (const exp of [first!, second!]) {
      expect(exp.meta.status).toBe("completed");
      // numpy float64 and float32 values became numbers; the epoch counter is a series too
      expect(exp.series["train/loss"]!.value).toHaveLength(8);
      expect(exp.series["weights/norm"]!.value.every((v) => typeof v === "number" && v > 0)).toBe(true);
      expect(exp.results["test_accuracy"]).toBeGreaterThan(0.85);
      expect(exp.results["val/acc.max"]).toBeGreaterThanOrEqual(exp.series["val/acc"]!.value.at(-1) as number);
    }
    // a standalone run lists the packages of the interpreter it runs on
    expect((first!.env as { packages: { python: Record<string, string> } }).packages.python["scikit-learn"]).toBeDefined();
    expect(first!.config).toEqual({ alpha: 1e-4, epochs: 8, test_size: 0.25, seed: 0 });
    expect(first!.meta).toMatchObject({ tags: ["project=digits"], message: "SGD logistic regression on the digits" });
    expect(second!.config).toEqual({ alpha: 0.001 });
    expect(second!.meta.name).toBe("alpha-0.001");
    expect(run.stderr).toContain("alpha=0.0001 is ignored, the run has 0.001");
  }, 180_000); // two scikit-learn runs: importing it alone takes seconds on a busy machine
});

describe("pip install", () => {
  it("installs into a fresh venv without network (--no-index --no-build-isolation), from the folder and from a git URL, and works from there", async () => {
    const py = scientificPython(); // Debian's python3, whose setuptools and wheel build the package
    const work = tempDir();
    const source = join(work, "python");
    cpSync(PYTHON_PACKAGE, source, { recursive: true }); // building writes build/ and *.egg-info beside the sources
    const venv = join(work, "venv");
    expect(spawnSync(py, ["-m", "venv", "--system-site-packages", "--without-pip", venv]).status).toBe(0);
    const vpy = join(venv, "bin", "python");
    const pip = spawnSync(vpy, ["-m", "pip", "install", "-q", "--no-index", "--no-build-isolation", source], { encoding: "utf8" });
    expect(pip.status, pip.stderr).toBe(0);
    // and from the repository's URL, as pip install "git+URL#subdirectory=python" does (a local clone: no network)
    const fromGit = spawnSync(vpy, ["-m", "pip", "install", "-q", "--no-index", "--no-build-isolation", "--force-reinstall", `git+file://${ROOT}#subdirectory=python`], { encoding: "utf8" });
    expect(fromGit.status, fromGit.stderr).toBe(0);
    const dir = makeRepo({ commit: true });
    const r = python(dir, `import git_exp, git_exp.wandb, git_exp.mlflow, sys
print(git_exp.__file__.startswith(sys.prefix))
with git_exp.init(config={"installed": True}) as run:
    run.log({"a": 1})
`, { python: vpy, packagePath: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("True");
    const exp = await onlyExperiment(dir);
    expect(exp.config).toEqual({ installed: true });
    expect((exp.env as { runtimes: Record<string, string> }).runtimes["python_executable"]).toBe(vpy);
  }, 180_000); // two pip installs: a few seconds each on a quiet machine, far more on a busy one
});

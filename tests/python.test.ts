import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, binary, cleanup, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";
import { PYTHON, PYTHON_PACKAGE, experimentsOf, onlyExperiment, python } from "./helpers/python.js";

beforeAll(() => {
  if (!existsSync(join(BIN, "..", "..", "dist", "src", "cli-bundle", "git-exp.cjs"))) throw new Error("run npm run build first");
});
afterAll(cleanup);

/** A scalar the way numpy and torch hand them out: not an int or float, but `.item()` gives one. */
const SCALAR = `
class Scalar:
    def __init__(self, v): self.v = v
    def item(self): return self.v
`;

describe("git_exp inside git exp run", () => {
  it("reads the config, logs nested metrics with scalars converted, NaN kept, strings left out with one warning", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), `import git_exp, math
${SCALAR}
assert git_exp.running()
cfg = git_exp.config()
for i in range(3):
    git_exp.log({"loss": cfg["lr"] / (i + 1), "val": {"acc": Scalar(0.5 + i / 10)}, "note": "text", "nan": math.nan}, step=i * 10)
git_exp.log({"inf": math.inf})
git_exp.summary({"test": {"acc": 0.9}})
git_exp.summary({"best": 1})
`);
    const r = binary(dir, ["run", "-p", "lr=0.5", "--", PYTHON, "train.py"], { env: { PYTHONPATH: PYTHON_PACKAGE, PYTHONDONTWRITEBYTECODE: "1" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/note is str, not a number/g)).toHaveLength(1);
    const exp = await onlyExperiment(dir);
    expect(exp.config).toEqual({ lr: 0.5 });
    expect(exp.series["loss"]).toEqual({ step: [0, 10, 20], value: [0.5, 0.25, 0.5 / 3] });
    expect(exp.series["val.acc"]!.value).toEqual([0.5, 0.6, 0.7]);
    expect(exp.series["nan"]!.value.every((v) => Number.isNaN(v))).toBe(true);
    expect(exp.series["inf"]!.value).toEqual([Infinity]);
    expect(exp.series["note"]).toBeUndefined();
    // summary() calls add up; they are the results, as a "final" line is for git exp run
    expect(exp.results).toEqual({ test: { acc: 0.9 }, best: 1 });
  });

  it("init() returns the current run: the recorded config wins, nothing is merged, and a warning says so", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), `import git_exp
run = git_exp.init(config={"lr": 0.01, "epochs": 3}, name="ignored")
assert run is git_exp.init()
assert not run.standalone
print("config", sorted(run.config.items()))
run.log({"loss": 1})
run.finish()
`);
    const r = binary(dir, ["run", "-p", "lr=0.5", "--", PYTHON, "train.py"], { env: { PYTHONPATH: PYTHON_PACKAGE, PYTHONDONTWRITEBYTECODE: "1" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("config [('epochs', 3), ('lr', 0.5)]");
    expect(r.stderr).toContain("nothing is merged into it: lr=0.01 is ignored, the run has 0.5; epochs is not recorded");
    expect(r.stderr).toContain("init(name=...) inside git exp run is ignored");
    const exp = await onlyExperiment(dir);
    expect(exp.config).toEqual({ lr: 0.5 });
    expect(exp.meta.name).toBeUndefined();
    expect(exp.series["loss"]!.value).toEqual([1]);
  });

  it("outside any run: config() is {}, log() and summary() do nothing and say False", () => {
    const dir = tempDir();
    const r = python(dir, `import git_exp
print(git_exp.running(), git_exp.config(), git_exp.log({"a": 1}), git_exp.summary({"a": 1}), git_exp.finish())
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("False {} False False None");
  });
});

describe("standalone runs: init ... finish records one experiment through git exp record -", () => {
  it("records config, series, results, source, dirty patch, env with this python, redaction and the command", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), "print('changed')\n"); // a dirty tracked file
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "train.csv"), "x,y\n1,2\n");
    const r = python(
      dir,
      `import git_exp, sys
run = git_exp.init(config={"lr": 0.1, "model": {"layers": 2}, "api_token": "hunter2"}, name="nb-1",
                   tags=["notebook"], inputs=["data/train.csv"], message="first try")
assert run.standalone and git_exp.running() and git_exp.config()["lr"] == 0.1
for i in range(4):
    run.log({"loss": 1 / (i + 1)})
exp_id = run.finish()
assert exp_id == run.id and not git_exp.running()
print(exp_id)
`,
      { args: ["--epochs", "2"] },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("config values that look like secrets were not recorded: api_token");
    const exp = await onlyExperiment(dir);
    expect(r.stdout.trim()).toBe(exp.id);
    expect(r.stderr).toContain(`git_exp: recorded experiment ${exp.id.slice(0, 12)} (nb-1)`);
    expect(exp.meta).toMatchObject({ name: "nb-1", tags: ["notebook"], message: "first try", status: "completed" });
    expect(exp.meta.command).toEqual([expect.stringMatching(/^python/), "script.py", "--epochs", "2"]);
    expect(exp.config).toEqual({ lr: 0.1, model: { layers: 2 }, api_token: "[REDACTED]" });
    expect(exp.series["loss"]).toEqual({ step: [0, 1, 2, 3], value: [1, 0.5, 1 / 3, 0.25] });
    expect(exp.results).toEqual({ loss: 0.25 });
    expect(exp.meta.source).toMatchObject({ commit: git(dir, ["rev-parse", "HEAD"]).trim(), branch: "main", dirty: true });
    expect(Buffer.from(exp.files["patch.diff"]!).toString()).toContain("+print('changed')");
    expect(exp.inputs).toEqual({ "data/train.csv": { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: 8 } });
    const runtimes = (exp.env as { runtimes: Record<string, string> }).runtimes;
    expect(runtimes["python_executable"]).toBe(PYTHON);
    expect(exp.meta.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(exp.meta.duration_s).toBeGreaterThanOrEqual(0);
  });

  it("as a context manager and at exit: completed, failed on an exception, interrupted on KeyboardInterrupt", async () => {
    const dir = makeRepo({ commit: true });
    const ok = python(dir, `import git_exp
with git_exp.init(config={"case": "with"}) as run:
    run.log({"a": 1})
git_exp.init(config={"case": "exit"})
git_exp.log({"a": 2})
`);
    expect(ok.code, ok.stderr).toBe(0);
    const failed = python(dir, `import git_exp
git_exp.init(config={"case": "raise"})
git_exp.log({"a": 3})
raise ValueError("diverged")
`);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ValueError: diverged"); // the script's own traceback is untouched
    const interrupted = python(dir, `import git_exp
git_exp.init(config={"case": "interrupt"})
raise KeyboardInterrupt
`);
    expect(interrupted.code).not.toBe(0);
    const inBlock = python(dir, `import git_exp, sys
with git_exp.init(config={"case": "exit-2"}):
    sys.exit(2)
`);
    expect(inBlock.code).toBe(2);
    const byCase = Object.fromEntries((await experimentsOf(dir)).map((e) => [e.config["case"], e.meta]));
    expect(byCase["with"]).toMatchObject({ status: "completed" });
    expect(byCase["exit"]).toMatchObject({ status: "completed" });
    expect(byCase["raise"]).toMatchObject({ status: "failed", exit_code: 1 });
    expect(byCase["interrupt"]).toMatchObject({ status: "interrupted", exit_code: 130 });
    expect(byCase["exit-2"]).toMatchObject({ status: "failed", exit_code: 2 });
  });

  it("a second init() finishes the first run (a notebook cell run again)", async () => {
    const dir = makeRepo({ commit: true });
    const r = python(dir, `import git_exp
a = git_exp.init(config={"try": 1}); a.log({"x": 1})
b = git_exp.init(config={"try": 2}); b.log({"x": 2})
assert a.finished and a.id and not b.finished
b.finish()
`);
    expect(r.code, r.stderr).toBe(0);
    expect((await experimentsOf(dir)).map((e) => e.config["try"]).sort()).toEqual([1, 2]);
  });

  it("outside a git repository: GitExpError from init(), before the script's work, nothing written", () => {
    const dir = tempDir();
    const r = python(dir, `import git_exp
try:
    git_exp.init(config={"lr": 1})
except git_exp.GitExpError as e:
    print("refused:", e, e.exit_code)
print("the script goes on")
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/refused: .* is not in a git repository: .*nothing was recorded 4/);
    expect(r.stdout).toContain("the script goes on");
    expect(readdirSync(dir)).toEqual(["script.py"]);
  });

  it("without git exp on PATH: GitExpError naming it, nothing written", () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const gitDir = spawnSync("sh", ["-c", "dirname \"$(command -v git)\""], { encoding: "utf8" }).stdout.trim();
    const r = python(dir, `import git_exp
try:
    git_exp.init()
except git_exp.GitExpError as e:
    print("refused:", e)
`, { env: { PATH: gitDir } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("refused: git exp is not installed (no git-exp on PATH)");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("a run the CLI refuses raises GitExpError with the CLI's reason and keeps the run's data to record later", async () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const r = python(dir, `import git_exp, math
run = git_exp.init(config={"lr": math.nan})
run.log({"loss": 1})
try:
    run.finish()
except git_exp.GitExpError as e:
    print("refused", e.exit_code)
    print(e)
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("refused 2");
    expect(r.stdout).toMatch(/the run was not recorded: .*NaN/);
    expect(repoSnapshot(dir)).toBe(before);
    const kept = /Its data is kept in (\S+);/.exec(r.stdout)![1]!;
    const doc = JSON.parse(readFileSync(join(kept, "experiment.json"), "utf8").replace("NaN", "0.5"));
    expect(readFileSync(join(kept, "metrics.jsonl"), "utf8")).toBe('{"loss":1}\n');
    const again = binary(dir, ["record", "-", "--metrics", join(kept, "metrics.jsonl")], { input: JSON.stringify(doc) });
    expect(again.code, again.stderr).toBe(0);
    expect((await onlyExperiment(dir)).series["loss"]!.value).toEqual([1]);
  });
});

/** A valid 1x1 PNG of one red level, written by Python's standard library. */
const PNG = `
import struct, zlib
def png(path, red):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes([0, red, 0, 0]))) + chunk(b"IEND", b""))
`;

describe("git_exp.Image: images logged at a step become media/<key>/<step>.png", () => {
  it("standalone (each step's image kept as it was when logged) and inside git exp run; nested images are left out", async () => {
    const dir = makeRepo({ commit: true });
    const script = `import git_exp, sys
${PNG}
run = git_exp.init(config={"case": "standalone"}) if len(sys.argv) == 1 else git_exp.init()
for step in range(2):
    png("sample.png", 10 * (step + 1))            # the same file, rewritten each step
    git_exp.log({"samples": git_exp.Image("sample.png"), "loss": 1.0 / (step + 1), "group": {"img": git_exp.Image("sample.png")}}, step=step)
    if len(sys.argv) > 1:
        import time; time.sleep(1.5)              # git exp run reads each line as it comes
run.finish()
`;
    const alone = python(dir, script);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stderr).toContain("group.img is Image, not a number");
    writeFileSync(join(dir, "img.py"), script);
    const inRun = binary(dir, ["run", "--", PYTHON, "img.py", "in-run"], { env: { PYTHONPATH: PYTHON_PACKAGE, PYTHONDONTWRITEBYTECODE: "1" } });
    expect(inRun.code, inRun.stderr).toBe(0);
    for (const exp of await experimentsOf(dir)) {
      expect(Object.keys(exp.files).filter((f) => f.startsWith("media/")).sort()).toEqual(["media/samples/0.png", "media/samples/1.png"]);
      expect(Buffer.compare(Buffer.from(exp.files["media/samples/0.png"]!), Buffer.from(exp.files["media/samples/1.png"]!))).not.toBe(0);
      expect(exp.series["loss"]!.value).toEqual([1, 0.5]);
    }
  }, 180_000);
});

describe("git exp record - with --metrics, --input, --output, --capture", () => {
  it("takes the series (and results when the document has none) from a metrics log, as git exp run reads it", async () => {
    const dir = makeRepo({ commit: true });
    const log = '{"step":1,"loss":0.5}\nnot json\n{"step":2,"loss":0.25}\n';
    writeFileSync(join(dir, "m.jsonl"), log);
    writeFileSync(join(dir, "model.bin"), "weights");
    const doc = { experiment: { name: "doc" }, config: { lr: 1 }, results: {} };
    const r = binary(dir, ["record", "-", "--metrics", "m.jsonl", "--output", "model.bin"], { input: JSON.stringify(doc) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("1 metrics line(s) were not JSON objects and were skipped (first at line 2)");
    const exp = await onlyExperiment(dir);
    expect(exp.series["loss"]).toEqual({ step: [1, 2], value: [0.5, 0.25] });
    expect(exp.results).toEqual({ loss: 0.25 });
    expect(exp.meta["metrics_log"]).toEqual({ lines: 3, bytes: Buffer.byteLength(log), skipped_lines: 1, first_skipped_line: 2 });
    expect(Object.keys(exp.outputs!)).toEqual(["model.bin"]);
    expect(exp.env).toBeUndefined(); // only --capture probes the machine
  });

  it("refuses before writing: a missing metrics file (3), --metrics without -, a document with series and --metrics (2)", () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const doc = JSON.stringify({ experiment: {}, config: {}, results: {} });
    const missing = binary(dir, ["record", "-", "--metrics", "nope.jsonl"], { input: doc });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("metrics file");
    writeFileSync(join(dir, "c.json"), "{}");
    const files = binary(dir, ["record", "--config", "c.json", "--results", "c.json", "--capture"]);
    expect(files.code).toBe(2);
    expect(files.stderr).toContain("--capture goes with -");
    writeFileSync(join(dir, "m.jsonl"), '{"loss":1}\n');
    const both = binary(dir, ["record", "-", "--metrics", "m.jsonl"], {
      input: JSON.stringify({ experiment: {}, config: {}, results: {}, series: { loss: { step: [0], value: [1] } } }),
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give the history one way");
    const input = binary(dir, ["record", "-", "--input", "absent.csv"], { input: doc });
    expect(input.code).toBe(3);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

describe("the package itself", () => {
  it("git exp python-path prints the folder to put on PYTHONPATH", () => {
    const dir = tempDir();
    const r = binary(dir, ["python-path"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(PYTHON_PACKAGE + "\n");
    const imported = python(dir, "import git_exp, git_exp.wandb, git_exp.mlflow; print(git_exp.__file__)", {
      env: { PYTHONPATH: r.stdout.trim() },
    });
    expect(imported.stdout.trim()).toBe(join(PYTHON_PACKAGE, "git_exp", "__init__.py"));
  });

  it("is Python 3.8 syntax, typed, and imports nothing outside the standard library", () => {
    const dir = tempDir();
    const r = python(dir, `import ast, pathlib, sys
root = pathlib.Path(${JSON.stringify(join(PYTHON_PACKAGE, "git_exp"))})
assert (root / "py.typed").exists()
for f in sorted(root.glob("*.py")):
    ast.parse(f.read_text(), str(f), feature_version=(3, 8))
before = set(sys.modules)
import git_exp, git_exp.wandb, git_exp.mlflow
third = sorted(m.split(".")[0] for m in set(sys.modules) - before if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("git_exp"))
print("third-party:", third)
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("third-party: []");
  });
});

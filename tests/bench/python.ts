import { spawnSync } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { BENCH_ENV, BIN, ROOT, benchDir, median, medianProcessMs, removeDir, sh, type BenchRow } from "./harness.js";

/** The python3 on PATH, by its real path: a version manager's shim would add a shell script per start. */
function python3(): string {
  return spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim() || "python3";
}

const POINTS = 100_000;

/**
 * In one process, alternating: 100,000 points of a dozen metrics (two groups, as training
 * scripts log them) through git_exp.log, and the same lines appended by hand with
 * json.dumps to a file opened once. Prints the medians in ms as JSON.
 */
const LOG_SCRIPT = `
import json, os, sys, time
os.environ["GIT_EXP_METRICS"] = sys.argv[1] + "/ours.jsonl"
import git_exp
N = ${POINTS}
def point(i):
    x = 1.0 / (i + 1)
    return {"loss": x, "acc": 1 - x, "lr": 0.001, "grad_norm": x * 3, "tokens_per_s": 1000.0 + i,
            "train": {"loss": x, "acc": 1 - x, "ppl": 1 + x},
            "val": {"loss": x * 1.1, "acc": 1 - x * 1.1, "f1": 0.5, "auc": 0.9}}
points = [point(i) for i in range(N)]
def by_hand():
    with open(sys.argv[1] + "/hand.jsonl", "w") as f:
        for i, p in enumerate(points):
            line = {"step": i}
            line.update(p)
            f.write(json.dumps(line) + "\\n")
def ours():
    log = git_exp.log
    for i, p in enumerate(points):
        log(p, step=i)
    git_exp._run.command_run()._sink.flush()
hand, mine = [], []
for _ in range(3):
    for fn, out in ((by_hand, hand), (ours, mine)):
        t = time.perf_counter(); fn(); out.append((time.perf_counter() - t) * 1000)
hand.sort(); mine.sort()
print(json.dumps({"hand": hand[1], "ours": mine[1]}))
`;

const IMPORT_SCRIPT = `
import time
t = time.perf_counter()
import git_exp
print((time.perf_counter() - t) * 1000)
`;

/** A standalone run shaped like a training run: 30 params, a dozen metrics, 300 steps. */
const RUN_SCRIPT = `
import git_exp
config = {f"p{i}": i * 0.5 for i in range(24)}
config.update({"optimizer": {"name": "adam", "lr": 0.001, "betas": [0.9, 0.999]}, "model": {"layers": 4, "width": 256, "act": "gelu"}})
run = git_exp.init(config=config, name="bench")
for step in range(300):
    x = 1.0 / (step + 1)
    run.log({"loss": x, "acc": 1 - x, "lr": 0.001, "grad_norm": x * 3,
             "train": {"loss": x, "acc": 1 - x, "ppl": 1 + x},
             "val": {"loss": x * 1.1, "acc": 1 - x * 1.1, "f1": 0.5, "auc": 0.9, "mse": x}}, step=step)
run.finish()
`;

/** `npm run bench python`: the git_exp package's costs against what a script would do without it. */
export async function bench(): Promise<BenchRow[]> {
  const dir = benchDir("python");
  try {
    const py = python3();
    // A copy of the package with its bytecode compiled, as pip install leaves it.
    const pkg = join(dir, "pkg");
    cpSync(join(ROOT, "python", "git_exp"), join(pkg, "git_exp"), { recursive: true });
    sh(dir, py, ["-m", "compileall", "-q", pkg]);
    const env = { ...BENCH_ENV, PYTHONPATH: pkg, PATH: join(BIN, "..") + delimiter + (BENCH_ENV["PATH"] ?? "") };
    const runPy = (args: string[], input?: string): string => {
      const r = spawnSync(py, args, { cwd: dir, env, input, encoding: "utf8", maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`python ${args.join(" ")} failed: ${r.stderr}`);
      return r.stdout;
    };
    const rows: BenchRow[] = [];

    writeFileSync(join(dir, "log.py"), LOG_SCRIPT);
    const log = JSON.parse(runPy(["log.py", dir])) as { hand: number; ours: number };
    rows.push({
      area: "python", name: `git_exp.log of ${POINTS.toLocaleString("en")} points (13 metrics, 2 groups)`, value: log.ours, unit: "ms",
      baselineName: "the same lines by hand (json.dumps, file opened once)", baselineValue: log.hand, goal: "under 2x",
    });

    writeFileSync(join(dir, "imp.py"), IMPORT_SCRIPT);
    const imports = median([0, 1, 2, 3, 4, 5, 6].map(() => Number(runPy(["imp.py"]).trim())));
    const bare = medianProcessMs(dir, py, ["-c", "pass"], 7, undefined, env);
    const withImport = medianProcessMs(dir, py, ["-c", "import git_exp"], 7, undefined, env);
    rows.push({ area: "python", name: "import git_exp, in process", value: imports, unit: "ms", goal: "under 30 ms" });
    rows.push({ area: "python", name: "python3 -c 'import git_exp', whole process", value: withImport, unit: "ms", baselineName: "python3 -c pass", baselineValue: bare });

    // A standalone run against `git exp record` of the same content (document and metrics log).
    sh(dir, "git", ["init", "-q", "-b", "main"]);
    writeFileSync(join(dir, "train.py"), "print(1)\n");
    sh(dir, "git", ["add", "train.py"]);
    sh(dir, "git", ["commit", "-q", "-m", "init"]);
    writeFileSync(join(dir, "run.py"), RUN_SCRIPT);
    runPy(["run.py"]); // warms the environment cache, as any earlier run on the machine has
    const content = runPy(["-c", DOCUMENT_SCRIPT, dir]);
    const doc = join(dir, "doc.json");
    writeFileSync(doc, content);
    const standalone = medianProcessMs(dir, py, ["run.py"], 7, undefined, env);
    const record = medianProcessMs(dir, "sh", ["-c", `git exp record - --capture --metrics ${dir}/metrics.jsonl < ${doc}`], 7, undefined, env);
    rows.push({
      area: "python", name: "standalone run: python3 script with init + 300 logs + finish", value: standalone, unit: "ms",
      baselineName: "git exp record - --capture --metrics of the same content", baselineValue: record, goal: "under 1.2x",
    });
    // What the package adds, apart from starting the interpreter (which a busy machine makes slow).
    rows.push({
      area: "python", name: "the same, less python3 -c pass (the interpreter's own start)", value: standalone - bare, unit: "ms",
      baselineName: "git exp record - --capture --metrics of the same content", baselineValue: record,
    });
    return rows;
  } finally {
    removeDir(dir);
  }
}

/** The document and metrics log RUN_SCRIPT hands to the CLI, written without recording. */
const DOCUMENT_SCRIPT = `
import sys, json, runpy, git_exp._record as rec
out = sys.argv[1]
def keep(doc, metrics, inputs, outputs, cwd, tmp):
    import shutil
    shutil.copy(metrics, out + "/metrics.jsonl")
    print(json.dumps(doc))
    return "0" * 40
rec.record = keep
sys.argv = ["run.py"]
runpy.run_path(out + "/run.py", run_name="__main__")
`;

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, git, makeRepo, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

/**
 * A training script as users write them: reads the config, logs mixed lines (text and
 * booleans beside numbers), writes results.json and model.bin in its folder. With BARRIER
 * set, each point waits until every point has written its files before it exits, so two
 * points sharing one folder would read each other's.
 */
const TRAIN = `import json, os, random, sys, time
cfg = json.load(open(os.environ["GIT_EXP_CONFIG"]))
random.seed(cfg.get("seed", 0))
lr = cfg.get("lr", 0.1)
acc = round(lr * 10 + random.random(), 12)
with open(os.environ["GIT_EXP_METRICS"], "a") as m:
    for step in range(3):
        m.write(json.dumps({"step": step, "loss": 1.0 / (step + 1), "phase": "train", "is_best": step == 2}) + "\\n")
if os.path.exists("data/rows.txt"):
    print("rows", len(open("data/rows.txt").read().split()))
print("sees note.txt" if os.path.exists("note.txt") else "no note.txt")
json.dump({"acc": acc}, open("results.json", "w"))
open("model.bin", "w").write("model %r" % lr)
barrier = os.environ.get("BARRIER")
if barrier:
    open(os.path.join(barrier, str(lr)), "w").close()
    while len(os.listdir(barrier)) < int(os.environ["POINTS"]):
        time.sleep(0.02)
`;

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A repository with train.py committed, an ignored data folder and an untracked note. */
function trainRepo(): string {
  const dir = makeRepo({ commit: true });
  writeFileSync(join(dir, "train.py"), TRAIN);
  writeFileSync(join(dir, ".gitignore"), "data/\nresults.json\nmodel.bin\n");
  git(dir, ["add", "train.py", ".gitignore"]);
  git(dir, ["commit", "-q", "-m", "train"]);
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "rows.txt"), "a b c d\n");
  writeFileSync(join(dir, "note.txt"), "untracked, not ignored\n");
  return dir;
}

async function show(dir: string, spec: string): Promise<Record<string, Record<string, unknown>>> {
  const r = await cli(dir, ["show", spec, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe.runIf(python)("one run engine: run, parallel sweeps and repro capture alike", () => {
  it("a parallel sweep gives each point its own working copy: results and outputs are the point's own", async () => {
    const dir = trainRepo();
    const barrier = tempDir("git-exp-barrier-");
    const r = await cli(dir, ["run", "-j", "2", "--name", "par", "-p", "lr=0.1,0.2", "--results", "results.json", "--output", "model.bin", "--json", "--", python!, "train.py"], {
      env: { BARRIER: barrier, POINTS: "2" },
    });
    expect(r.code, r.stderr).toBe(0);
    const points = JSON.parse(r.stdout) as { id: string; results: Record<string, number>; varying: { lr: number } }[];
    expect(points).toHaveLength(2);
    for (const p of points) {
      const exp = await show(dir, p.id);
      const lr = p.varying.lr;
      expect(Math.floor((exp["results"]!["acc"] as number) - lr * 10)).toBe(0);
      expect(exp["outputs"]).toEqual({ "model.bin": { sha256: sha(`model ${lr}`), size: `model ${lr}`.length } });
      // the ignored data folder is reachable (linked), the untracked note is copied
      const log = spawnSync("git", ["show", `${p.id}:log.txt`], { cwd: dir, encoding: "utf8" }).stdout;
      expect(log).toContain("rows 4");
      expect(log).toContain("sees note.txt");
    }
    // the points wrote into their copies, not into the work tree, and the copies are gone
    expect(existsSync(join(dir, "results.json"))).toBe(false);
    expect(readFileSync(join(dir, "data", "rows.txt"), "utf8")).toBe("a b c d\n");
  });

  it("-j 1 runs in place; text fields are named once, booleans are metrics, loss is kept", async () => {
    const dir = trainRepo();
    const r = await cli(dir, ["run", "--name", "inplace", "--results", "results.json", "--", python!, "train.py"]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, "results.json"))).toBe(true);
    expect(r.stderr.match(/"phase" is text: not a metric/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/skipped/);
    const exp = await show(dir, "inplace");
    const series = exp["series"] as unknown as Record<string, { value: number[] }>;
    expect(series["loss"]!.value).toEqual([1, 0.5, 1 / 3]);
    expect(series["is_best"]!.value).toEqual([0, 0, 1]);
    expect(series["phase"]).toBeUndefined();
  });

  it("repro of a --results run with a 64-bit seed reproduces, captures as run does, and is named <name>~repro", async () => {
    const dir = trainRepo();
    const ran = await cli(dir, ["run", "--name", "orig", "--seed", "5000000000", "--results", "results.json", "--output", "model.bin", "--", python!, "train.py"]);
    expect(ran.code, ran.stderr).toBe(0);
    const id = ran.stdout.trim().split("\n").pop()!; // the script's output comes first
    const r = await cli(dir, ["repro", "orig", "--json"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const v = JSON.parse(r.stdout) as { reproduced: boolean; rerun: string };
    expect(v.reproduced).toBe(true);
    const original = await show(dir, id);
    const again = await show(dir, v.rerun);
    expect(again["experiment"]).toMatchObject({ name: "orig~repro", reproduces: id, parents: [id], status: "completed", run_options: { results: "results.json", outputs: ["model.bin"] } });
    expect(again["experiment"]!["source"]).toMatchObject({ branch: "main", dirty: false });
    expect(again["experiment"]!["resources"]).toHaveProperty("wall_s");
    expect(again["results"]).toEqual(original["results"]);
    expect(again["outputs"]).toEqual(original["outputs"]);
    // the rerun sees the commit only: the untracked note is not there
    expect(spawnSync("git", ["show", `${v.rerun}:log.txt`], { cwd: dir, encoding: "utf8" }).stdout).toContain("no note.txt");
    // the name still names the original; a second rerun takes the next name
    expect((await show(dir, "orig"))["id"]).toBe(id);
    const second = await cli(dir, ["repro", "orig", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect((await show(dir, JSON.parse(second.stdout).rerun))["experiment"]).toMatchObject({ name: "orig~repro2", reproduces: id });
    expect((await cli(dir, ["tag", "orig", "kept"])).code).toBe(0);
  }, 180_000);

  it("a script that was never committed: run warns, repro says the commit lacks it instead of blaming nondeterminism", async () => {
    const dir = trainRepo();
    writeFileSync(join(dir, "extra.py"), "import json, os\nopen(os.environ['GIT_EXP_METRICS'], 'a').write(json.dumps({'final': True, 'acc': 1}) + '\\n')\n");
    const ran = await cli(dir, ["run", "--name", "loose", "--", python!, "extra.py"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/the command names extra\.py, which git does not track/);
    const r = await cli(dir, ["repro", "loose", "--json"]);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout) as { reproduced: boolean; explanations: string[] };
    expect(v.reproduced).toBe(false);
    expect(v.explanations.join("\n")).toMatch(/extra\.py, which the source commit does not hold/);
    expect(v.explanations.join("\n")).not.toMatch(/nondeterministic/);
    expect(r.stderr).toMatch(/warning: the command names extra\.py/);
  });
});

import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { capturePatch } from "../src/capture/git-state.js";
import { parseMetricLines } from "../src/capture/load.js";
import { record } from "../src/capture/record.js";
import { rerun } from "../src/capture/rerun.js";
import type { JsonObject } from "../src/core/json.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { BIN, FIXTURES, TEST_ENV, cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";
import { fileAppears } from "./helpers/wait.js";

afterAll(cleanup);

const SCRIPTS = join(FIXTURES, "repro");

/** A repository whose first commit holds the fixture script as train.mjs. */
function repoWith(script: string): string {
  const dir = makeRepo();
  copyFileSync(join(SCRIPTS, script), join(dir, "train.mjs"));
  writeFileSync(join(dir, ".gitignore"), "data.csv\n");
  git(dir, ["add", "train.mjs", ".gitignore"]);
  git(dir, ["commit", "-q", "-m", "train"]);
  return dir;
}

/**
 * The "original" run, made the way a tracked run is: the script run in the work tree with
 * GIT_EXP_CONFIG and GIT_EXP_METRICS, its final line recorded as results with the command.
 */
async function originalRun(dir: string, config: JsonObject, options: { inputs?: string[]; patch?: boolean; name?: string } = {}): Promise<string> {
  const scratch = tempDir();
  const [configFile, metricsFile] = [join(scratch, "config.json"), join(scratch, "metrics.jsonl")];
  writeFileSync(configFile, JSON.stringify(config));
  writeFileSync(metricsFile, "");
  const seed = config["seed"] === undefined ? {} : { GIT_EXP_SEED: String(config["seed"]) };
  execFileSync("node", ["train.mjs"], { cwd: dir, env: { ...process.env, GIT_EXP_CONFIG: configFile, GIT_EXP_METRICS: metricsFile, ...seed } });
  const lines = parseMetricLines(readFileSync(metricsFile, "utf8"), "metrics", true);
  const store = new ExperimentStore(await openRepository(dir));
  try {
    const patch = options.patch ? await capturePatch(store.repo) : new Uint8Array(0);
    const r = await record(store, {
      config,
      results: lines.final!,
      series: lines.series,
      name: options.name ?? "orig",
      command: ["node", "train.mjs"],
      inputs: options.inputs?.map((p) => join(dir, p)),
      files: patch.length > 0 ? { "patch.diff": patch } : {},
      environ: { ...process.env, ...TEST_ENV, GIT_AUTHOR_DATE: "@1750000000 +0000" },
    });
    return r.id;
  } finally {
    await store.close();
  }
}

function worktrees(dir: string): number {
  return git(dir, ["worktree", "list", "--porcelain"]).split("\n").filter((l) => l.startsWith("worktree ")).length;
}

async function showJson(dir: string, id: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse((await cli(dir, ["show", id, "--json"])).stdout);
}

describe("git exp repro", () => {
  it("a deterministic script reproduces; the rerun is recorded with the original as parent", async () => {
    const dir = repoWith("deterministic.mjs");
    writeFileSync(join(dir, "data.csv"), "x,y\n1,2\n");
    const id = await originalRun(dir, { lr: 0.1, seed: 42, data: "data.csv", epochs: 4 }, { inputs: ["data.csv"] });
    const r = await cli(dir, ["repro", id.slice(0, 8)]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^reproduced: rerun [0-9a-f]{12} matches /);
    expect(r.stderr).toContain("trained: loss"); // the script's output goes to stderr
    const rerunId = /recorded rerun ([0-9a-f]{40})/.exec(r.stderr)![1]!;
    const shown = await showJson(dir, rerunId);
    expect(shown["experiment"]).toMatchObject({ parents: [id], command: ["node", "train.mjs"], status: "completed", exit_code: 0 });
    expect(shown["experiment"]!["source"]).toMatchObject({ commit: git(dir, ["rev-parse", "HEAD"]).trim(), dirty: false });
    expect(shown["inputs"]).toEqual((await showJson(dir, id))["inputs"]);
    expect(shown["config_hash"]).toBe((await showJson(dir, id))["config_hash"]);
    expect(worktrees(dir)).toBe(1);
    git(dir, ["fsck", "--strict", "--no-progress"]);
  });

  it("a run started in a subfolder is rerun there, and the same machine's environment does not differ", async () => {
    const dir = repoWith("deterministic.mjs");
    execFileSync("mkdir", ["-p", join(dir, "sub")]);
    copyFileSync(join(SCRIPTS, "deterministic.mjs"), join(dir, "sub", "t2.mjs"));
    git(dir, ["add", "sub/t2.mjs"]);
    git(dir, ["commit", "-q", "-m", "sub"]);
    const command = ["sh", "-c", "node t2.mjs && echo model > model.txt"];
    const ran = await cli(join(dir, "sub"), ["run", "--name", "subrun", "-p", "lr=0.1", "-p", "seed=3", "--output", "model.txt", "--", ...command]);
    expect(ran.code, ran.stderr).toBe(0);
    const original = await showJson(dir, "subrun");
    expect(original["experiment"]!["source"]).toMatchObject({ path: "sub" });
    expect(Object.keys(original["outputs"]!)).toEqual(["sub/model.txt"]);
    const r = await cli(dir, ["repro", "subrun", "--json"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.reproduced).toBe(true);
    expect(v.diff.sections.environment).toBe(false);
    // The rerun checksums the outputs again where it wrote them.
    expect((await showJson(dir, v.rerun))["outputs"]).toEqual(original["outputs"]);
    expect(worktrees(dir)).toBe(1);
  });

  it("Ctrl-C stops the rerun: the command is stopped, the worktree removed, nothing recorded (exit 130)", async () => {
    const dir = makeRepo();
    const script = `import { appendFileSync, writeFileSync } from "node:fs";
appendFileSync(process.env.GIT_EXP_METRICS, JSON.stringify({ final: true, loss: 1 }) + "\\n");
if (process.env.STARTED) writeFileSync(process.env.STARTED, "");
if (process.env.SLOW) setTimeout(() => {}, 60000);
`;
    writeFileSync(join(dir, "train.mjs"), script);
    git(dir, ["add", "train.mjs"]);
    git(dir, ["commit", "-q", "-m", "slow"]);
    const id = await originalRun(dir, { lr: 0.1 });
    const before = repoSnapshot(dir);
    // The rerun's command says it is running by writing this file: Ctrl-C comes then, not after a guessed pause.
    const started = join(tempDir(), "started");
    const child = spawn(BIN, ["repro", id], { cwd: dir, env: { ...process.env, ...TEST_ENV, SLOW: "1", STARTED: started } });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    await new Promise<void>((ok) => child.stderr.on("data", () => stderr.includes("rerunning") && ok()));
    await fileAppears(started, child);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((ok) => child.on("close", ok));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted: nothing recorded/);
    expect(worktrees(dir)).toBe(1);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("a nondeterministic script does not reproduce, and nothing recorded explains it", async () => {
    const dir = repoWith("nondeterministic.mjs");
    const id = await originalRun(dir, { lr: 0.1 });
    const r = await cli(dir, ["repro", id, "--json"]);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ original: id, reproduced: false });
    expect(v.reasons[0]).toMatch(/1 metric beyond tolerance: loss/);
    expect(v.explanations.join("\n")).toMatch(/nondeterministic/);
    expect(v.diff.sections).toMatchObject({ results: true, config: false, inputs: false, code: false });
    const text = await cli(dir, ["repro", id]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^not reproduced: /);
    expect(text.stdout).toMatch(/results \(tolerance 1e-6\):/);
  });

  it("a loose --rtol turns the same nondeterministic run into a reproduction", async () => {
    const dir = repoWith("nondeterministic.mjs");
    const id = await originalRun(dir, { lr: 0.1 });
    // loss = lr * (0.5 + U[0,1)): any two runs are within a factor of 3 of each other.
    expect((await cli(dir, ["repro", id, "--rtol", "0.7"])).code).toBe(0);
  });

  it("a dirty-tree run reproduces from its patch.diff, whatever the work tree holds now", async () => {
    const dir = repoWith("deterministic.mjs");
    const path = join(dir, "train.mjs");
    writeFileSync(path, readFileSync(path, "utf8").replace("const SCALE = 1;", "const SCALE = 0.5;"));
    const id = await originalRun(dir, { lr: 0.2, seed: 7 }, { patch: true });
    git(dir, ["checkout", "--", "train.mjs"]); // the work tree is clean again: only the patch has the change
    const r = await cli(dir, ["repro", id, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    const shown = await showJson(dir, v.rerun);
    expect(shown["experiment"]!["source"]).toMatchObject({ dirty: true });
    expect((shown["files"] as Record<string, { text: string }>)["patch.diff"]!.text).toContain("+const SCALE = 0.5;");
    expect(v.diff.code).toMatchObject({ sameCommit: true, patch: "same" });
    expect(readFileSync(path, "utf8")).toContain("const SCALE = 1;");
  });

  it("a command that fails is recorded as failed and is not a reproduction", async () => {
    const dir = repoWith("deterministic.mjs");
    const id = await originalRun(dir, { lr: 0.1, seed: 1 });
    copyFileSync(join(SCRIPTS, "fail.mjs"), join(dir, "train.mjs"));
    git(dir, ["commit", "-qam", "break it"]);
    // The source commit is the original's, so the rerun still works...
    expect((await cli(dir, ["repro", id])).code).toBe(0);
    // ...while a run recorded at the broken commit fails when rerun.
    const store = new ExperimentStore(await openRepository(dir));
    const broken = await record(store, {
      config: { lr: 0.1 },
      results: { loss: 1 },
      command: ["node", "train.mjs"],
      environ: { ...process.env, ...TEST_ENV },
    });
    await store.close();
    const r = await cli(dir, ["repro", broken.id, "--json"]);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v.reasons[0]).toMatch(/the rerun failed with exit code 3 where the original completed/);
    expect((await showJson(dir, v.rerun))["experiment"]).toMatchObject({ status: "failed", exit_code: 3, parents: [broken.id] });
  });

  it("changed inputs are refused (exit 2, nothing written) unless --allow-changed-inputs", async () => {
    const dir = repoWith("deterministic.mjs");
    writeFileSync(join(dir, "data.csv"), "x,y\n1,2\n");
    const id = await originalRun(dir, { lr: 0.1, seed: 42, data: "data.csv" }, { inputs: ["data.csv"] });
    writeFileSync(join(dir, "data.csv"), "x,y\n1,2\n3,4\n");
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data.csv \(changed\).*--allow-changed-inputs/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(worktrees(dir)).toBe(1);
    const store = new ExperimentStore(await openRepository(dir));
    await expect(rerun(store, id)).rejects.toMatchObject({ code: "EINVALID" });
    await store.close();

    const allowed = await cli(dir, ["repro", id, "--allow-changed-inputs", "--json"]);
    expect(allowed.code).toBe(1);
    const v = JSON.parse(allowed.stdout);
    expect(v.reasons).toContain("the inputs differ");
    expect(v.explanations[0]).toMatch(/inputs differ: data.csv \(changed\)/);
  });

  it("missing inputs are refused with exit 3", async () => {
    const dir = repoWith("deterministic.mjs");
    writeFileSync(join(dir, "data.csv"), "x\n");
    const id = await originalRun(dir, { lr: 0.1, seed: 1, data: "data.csv" }, { inputs: ["data.csv"] });
    execFileSync("rm", [join(dir, "data.csv")]);
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", id]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/data.csv \(missing\)/);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("an experiment without a command is refused with exit 2, nothing written", async () => {
    const dir = repoWith("deterministic.mjs");
    const doc = { experiment: { name: "manual" }, config: { lr: 1 }, results: { loss: 1 } };
    const id = (await cli(dir, ["record", "-"], { input: JSON.stringify(doc) })).stdout.trim();
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no recorded command/);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("a source commit that is not in the repository is refused with exit 3", async () => {
    const dir = repoWith("deterministic.mjs");
    const doc = {
      experiment: { command: ["node", "train.mjs"], source: { commit: "1".repeat(40), branch: "main", dirty: false } },
      config: { lr: 1 },
      results: { loss: 1 },
    };
    const id = (await cli(dir, ["record", "-"], { input: JSON.stringify(doc) })).stdout.trim();
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", id]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/source commit 111111111111 is not in this repository/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(worktrees(dir)).toBe(1);
  });

  it("a command that is not installed is not found (exit 3, as for run), nothing written", async () => {
    const dir = repoWith("deterministic.mjs");
    const doc = {
      experiment: { command: ["no-such-program-git-exp"], source: { commit: git(dir, ["rev-parse", "HEAD"]).trim(), branch: "main", dirty: false } },
      config: {},
      results: {},
    };
    const id = (await cli(dir, ["record", "-"], { input: JSON.stringify(doc) })).stdout.trim();
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", id]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/command 'no-such-program-git-exp' not found/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(worktrees(dir)).toBe(1);
  });

  it("unknown experiments and bad tolerances are refused", async () => {
    const dir = repoWith("deterministic.mjs");
    expect((await cli(dir, ["repro", "abcdef12"])).code).toBe(3);
    const id = await originalRun(dir, { lr: 0.1, seed: 1 });
    const before = repoSnapshot(dir);
    expect((await cli(dir, ["repro", id, "--tolerance", "-3"])).code).toBe(2);
    expect((await cli(dir, ["repro", id, "--rtol", "lots"])).code).toBe(2);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

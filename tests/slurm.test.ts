import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, TEST_ENV, binary, cleanup, cli, git, makeRepo, repoSnapshot, tempDir, type CliResult } from "./helpers/repo.js";
import { jobEnded, requireSlurmOrSkip, scontrol, taskStates, waitFor } from "./helpers/slurm.js";

afterAll(cleanup);

/**
 * These tests submit real jobs to a real Slurm (scripts/slurm-local.sh, which .ci/run starts).
 * Trials are small shell commands: a trial waits for its go-file when a test must act while
 * it runs, so nothing depends on timing.
 */
const here = requireSlurmOrSkip();

interface Shown {
  experiment: { status: string; sweep: { id: string; index: number; size: number; method: string }; interruption?: { by: string; reason: string } };
  config: { seed?: number };
  env: { slurm?: Record<string, string> };
}

function experiments(dir: string): Shown[] {
  const ids = git(dir, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).split("\n").filter(Boolean);
  return ids.map((id) => JSON.parse(binary(dir, ["show", id, "--json"]).stdout) as Shown);
}

function claims(dir: string): string[] {
  return git(dir, ["for-each-ref", "--format=%(objecttype) %(refname)", "refs/exp-claims/"]).split("\n").filter(Boolean);
}

/** A trial that logs one metric line, then waits until the test creates `<gate>/go-<seed>`. */
function gated(gate: string): string {
  return `printf '{"step": 1, "loss": %s}\\n' "$GIT_EXP_SEED" >> "$GIT_EXP_METRICS"; while [ ! -e ${gate}/go-$GIT_EXP_SEED ]; do sleep 0.1; done`;
}

function submitted(r: CliResult): { job: string; sweep: string } {
  expect(r.code, r.stderr).toBe(0);
  const m = /^submitted job (\d+), sweep ([0-9a-f]{8}) /.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return { job: m![1]!, sweep: m![2]! };
}

interface Running {
  job?: string;
  host?: string;
  pid: number;
  step: number | null;
  latest: Record<string, number>;
}

async function running(dir: string): Promise<Running[]> {
  const r = await cli(dir, ["ls", "--running", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Running[];
}

/** The built CLI in the background (it must outlive commands the test runs meanwhile), with what it printed. */
function waitInBackground(dir: string, args: string[]): Promise<CliResult> {
  const child = spawn(BIN, args, { cwd: dir, env: { ...process.env, ...TEST_ENV }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

function studies(dir: string): string[] {
  const d = join(dir, ".git", "exp", "studies");
  return existsSync(d) ? readdirSync(d) : [];
}

/**
 * A trial that runs until Slurm's time limit (one minute, the least Slurm takes) ends it:
 * submitted by the first test and checked by the last, so the minute passes while the others run.
 */
let timeLimited: { dir: string; job: string } | undefined;
async function submitTimeLimited(): Promise<{ dir: string; job: string }> {
  const dir = makeRepo({ commit: true });
  const { job } = submitted(await cli(dir, ["run", "--on", "slurm", "--slurm", "--time=1", "--seed", "1", "--", `printf '{"step": 1, "loss": 1}\\n' >> "$GIT_EXP_METRICS"; sleep 600`]));
  return { dir, job };
}

describe.skipIf(!here)("run --on slurm, against a real Slurm", () => {
  it("a grid sweep is one array job; each task records its point with Slurm's facts; --wait prints the summary", async () => {
    timeLimited = await submitTimeLimited();
    const dir = makeRepo({ commit: true });
    // gitexp.json's defaults reach sbatch: the trials run in the partition it names.
    writeFileSync(join(dir, "gitexp.json"), JSON.stringify({ slurm: { partition: "short" } }));
    const cmd = `printf '{"step": 1, "loss": %s}\\n' "$GIT_EXP_SEED" >> "$GIT_EXP_METRICS"`;
    const r = await cli(dir, ["run", "--on", "slurm", "--wait", "-j", "2", "--seed", "1,2,3", "--name", "grid", "--", cmd]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted job \d+, sweep [0-9a-f]{8} \(3 trials\)/);
    expect(r.stderr).toMatch(/sweep of 3: 3 completed/);
    expect(r.stdout).toMatch(/completed/);
    const exps = experiments(dir);
    expect(exps.map((e) => e.config.seed).sort()).toEqual([1, 2, 3]);
    const sweep = exps[0]!.experiment.sweep.id;
    for (const e of exps) {
      expect(e.experiment.status).toBe("completed");
      expect(e.experiment.sweep).toMatchObject({ id: sweep, size: 3, method: "grid", index: e.config.seed });
      expect(e.env.slurm).toMatchObject({ partition: "short", array_task_id: String(e.config.seed! - 1), node: expect.any(String), job_id: expect.stringMatching(/^\d+$/) });
    }
    // every claim now names the experiment its trial became
    expect(claims(dir).sort()).toEqual([0, 1, 2].map((i) => `commit refs/exp-claims/${sweep}/${i}`));
  });

  it("--wait says one trial in the singular", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--on", "slurm", "--wait", "--seed", "1", "--", `printf '{"step": 1, "loss": 1}\\n' >> "$GIT_EXP_METRICS"`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted job \d+, sweep [0-9a-f]{8} \(1 trial\); waiting for it/);
  });

  it("--wait names a task whose worker failed before recording its trial, with its log, and exits 1, not 130", async () => {
    const dir = makeRepo({ commit: true });
    // Slurm cannot enter the folder and starts the worker in /tmp, outside any repository
    const r = await cli(dir, ["run", "--on", "slurm", "--wait", "--slurm", "--chdir=/nonexistent-git-exp", "--seed", "1", "--", "true"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/task (\d+)_0 ended FAILED without recording its trial: see \S+\/slurm-\1_0\.out/);
    expect(experiments(dir)).toEqual([]);
  }, 120_000);

  it("ls --running shows cluster trials with job and node; cancelling one task records it as interrupted by scancel", async () => {
    const dir = makeRepo({ commit: true });
    const gate = tempDir();
    const { job, sweep } = submitted(await cli(dir, ["run", "--on", "slurm", "--seed", "1,2", "--", gated(gate)]));
    const live = await waitFor("both trials to run and log", async () => {
      const runs = await running(dir);
      return runs.length === 2 && runs.every((x) => x.step === 1) ? runs : undefined;
    });
    expect(live.map((x) => x.job).sort()).toEqual([`${job}_0`, `${job}_1`]);
    expect(live.map((x) => x.latest["loss"]).sort()).toEqual([1, 2]);
    const table = await cli(dir, ["ls", "--running"]);
    expect(table.stdout).toMatch(new RegExp(`${job}_0 +\\S+ `));
    const c = await cli(dir, ["cancel", `${job}_0`]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toBe(`cancelled task ${job}_0 (sweep ${sweep})\n`);
    writeFileSync(join(gate, "go-2"), "");
    await jobEnded(job);
    const exps = experiments(dir);
    const bySeed = new Map(exps.map((e) => [e.config.seed, e]));
    expect(exps).toHaveLength(2);
    expect(bySeed.get(1)!.experiment).toMatchObject({ status: "interrupted", interruption: { by: "slurm", reason: "cancelled (scancel)" } });
    expect(bySeed.get(2)!.experiment.status).toBe("completed");
    expect(await running(dir)).toEqual([]);
    // show says who stopped the trial and which one it is; sweeps counts it as interrupted
    const [cut] = JSON.parse((await cli(dir, ["ls", "--where", "params.seed = 1", "--json"])).stdout) as { id: string }[];
    const shown = (await cli(dir, ["show", cut!.id])).stdout;
    expect(shown).toMatch(/^Stopped: +by slurm: cancelled \(scancel\)$/m);
    expect(shown).toMatch(new RegExp(`^Sweep: +${bySeed.get(1)!.experiment.sweep.id} trial 1 of 2 \\(grid\\)$`, "m"));
    const [study] = JSON.parse((await cli(dir, ["sweeps", "--json"])).stdout) as { size: number; completed: number; interrupted: number }[];
    expect(study).toMatchObject({ size: 2, completed: 1, interrupted: 1 });
    // Cancelled again once it has ended: scancel would say nothing and exit 0; git exp says so.
    const before = repoSnapshot(dir);
    const again = await cli(dir, ["cancel", sweep]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`job ${job} of sweep ${sweep} has already ended; nothing to cancel\n`);
    const task = await cli(dir, ["cancel", `${job}_1`, "--json"]);
    expect(task.code, task.stderr).toBe(0);
    expect(JSON.parse(task.stdout)).toEqual({ cancelled: null, already_ended: true, sweep, job });
    expect(repoSnapshot(dir)).toBe(before);
    expect(taskStates(job)).toEqual(new Map([[`${job}_0`, "CANCELLED"], [`${job}_1`, "COMPLETED"]]));
    // A job that ended so long ago that Slurm forgot it (squeue: invalid job id) has ended too.
    const file = join(dir, ".git", "exp", "studies", sweep, "study.json");
    const forgotten = "99999999";
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, "utf8")) as object), job: forgotten }));
    const old = await cli(dir, ["cancel", forgotten]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toBe(`job ${forgotten} of sweep ${sweep} has already ended; nothing to cancel\n`);
  });

  it("--wait after git exp cancel exits as a local sweep: a running trial scancel ended is interrupted with 143 (SIGTERM); trials cancelled before they ran alone give 130", async () => {
    // -j 1: the second trial's task waits while the first runs
    const sweepOfTwo = async (): Promise<{ dir: string; gate: string; job: string; sweep: string; waited: Promise<CliResult> }> => {
      const dir = makeRepo({ commit: true });
      const gate = tempDir();
      const waited = waitInBackground(dir, ["run", "--on", "slurm", "--wait", "-j", "1", "--seed", "1,2", "--", gated(gate)]);
      await waitFor("the first trial to run and log", async () => {
        const runs = await running(dir);
        return runs.length === 1 && runs[0]!.step === 1 ? true : undefined;
      });
      const [sweep] = studies(dir);
      const shown = JSON.parse(readFileSync(join(dir, ".git", "exp", "studies", sweep!, "study.json"), "utf8")) as { job: string };
      return { dir, gate, job: shown.job, sweep: sweep!, waited };
    };
    const all = await sweepOfTwo();
    expect((await cli(all.dir, ["cancel", all.sweep])).stdout).toBe(`cancelled job ${all.job} (sweep ${all.sweep})\n`);
    const a = await all.waited;
    expect(a.code, a.stderr).toBe(143);
    expect(a.stderr).toMatch(/sweep of 2: 0 completed, 1 failed or interrupted, 1 not run/);
    expect(experiments(all.dir).map((e) => e.experiment)).toMatchObject([{ status: "interrupted", exit_code: 143, interruption: { reason: "cancelled (scancel)" } }]);

    const pending = await sweepOfTwo();
    expect((await cli(pending.dir, ["cancel", `${pending.job}_1`])).stdout).toBe(`cancelled task ${pending.job}_1 (sweep ${pending.sweep})\n`);
    writeFileSync(join(pending.gate, "go-1"), "");
    const p = await pending.waited;
    expect(p.code, p.stderr).toBe(130);
    expect(p.stderr).toMatch(/sweep of 2: 1 completed, 0 failed or interrupted, 1 not run/);
  });

  it("a worker killed mid-trial: its claim is taken over by a worker still running, and every trial lands once", async () => {
    const dir = makeRepo({ commit: true });
    const gate = tempDir();
    const { job } = submitted(await cli(dir, ["run", "--on", "slurm", "-j", "2", "--seed", "1,2", "--", gated(gate)]));
    const live = await waitFor("both trials to run", async () => {
      const runs = await running(dir);
      return runs.length === 2 ? runs : undefined;
    });
    const first = live.find((x) => x.job === `${job}_0`)!;
    process.kill(first.pid, "SIGKILL");
    await waitFor("the killed worker's task to end", () => (/FAILED|COMPLETED|CANCELLED/.test(taskStates(job).get(`${job}_0`) ?? "") ? true : undefined));
    writeFileSync(join(gate, "go-1"), "");
    writeFileSync(join(gate, "go-2"), "");
    await jobEnded(job);
    const exps = experiments(dir);
    expect(exps.map((e) => e.config.seed).sort()).toEqual([1, 2]);
    expect(exps.every((e) => e.experiment.status === "completed")).toBe(true);
    // trial 1 was run again by the worker of task 1
    expect(exps.find((e) => e.config.seed === 1)!.env.slurm!["array_task_id"]).toBe("1");
    expect(claims(dir).every((c) => c.startsWith("commit "))).toBe(true);
  });

  it("a bayes search: two workers ask the study and claim trials at once; every trial runs once", async () => {
    const dir = makeRepo({ commit: true });
    const gate = tempDir();
    writeFileSync(join(dir, "sweep.yaml"), "method: bayes\nmetric: {name: loss, goal: minimize}\nrun_cap: 4\nparameters:\n  x: {min: -2.0, max: 2.0}\n");
    // The first trials wait until both workers run one: the claims are made concurrently.
    const cmd = [
      `echo started >> ${gate}/started`,
      `while [ "$(wc -l < ${gate}/started)" -lt 2 ]; do sleep 0.1; done`,
      `x=$(sed 's/.*"x":\\([^,}]*\\).*/\\1/' "$GIT_EXP_CONFIG")`,
      `awk -v x="$x" 'BEGIN { printf "{\\"step\\": 1, \\"loss\\": %.6f}\\n", (x - 0.5) ^ 2 }' >> "$GIT_EXP_METRICS"`,
    ].join("; ");
    const r = await cli(dir, ["run", "--on", "slurm", "--sweep", "sweep.yaml", "-j", "2", "--wait", "--", cmd]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sweep of 4: 4 completed/);
    const exps = experiments(dir);
    expect(exps.map((e) => e.experiment.sweep.index).sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(exps.map((e) => e.experiment.sweep.method))).toEqual(new Set(["bayes"]));
    expect(new Set(exps.map((e) => e.env.slurm!["array_task_id"]))).toEqual(new Set(["0", "1"]));
    expect(exps.every((e) => typeof (e as unknown as { results: { loss: number } }).results.loss === "number")).toBe(true);
    const sweep = exps[0]!.experiment.sweep.id;
    expect(claims(dir).sort()).toEqual([0, 1, 2, 3].map((i) => `commit refs/exp-claims/${sweep}/${i}`));
    // the trials name the metric the search optimises, so git exp sweeps ranks them
    expect(exps.every((e) => (e.experiment.sweep as unknown as { metric: string; goal: string }).metric === "loss")).toBe(true);
    const listed = JSON.parse((await cli(dir, ["sweeps", "--json"])).stdout) as { id: string; metric: string; best: { value: number } | null }[];
    const losses = exps.map((e) => (e as unknown as { results: { loss: number } }).results.loss);
    expect(listed).toMatchObject([{ id: sweep, metric: "loss", best: { value: Math.min(...losses) } }]);
  });

  it("a requeued job runs its trial again and records it once", async () => {
    const dir = makeRepo({ commit: true });
    const gate = tempDir();
    const { job } = submitted(await cli(dir, ["run", "--on", "slurm", "--slurm", "--requeue", "--seed", "1", "--", gated(gate)]));
    await waitFor("the trial to run", async () => ((await running(dir)).length === 1 ? true : undefined));
    scontrol(["requeue", `${job}_0`]);
    await waitFor("the task to wait again", () => (taskStates(job).get(`${job}_0`) === "PENDING" ? true : undefined));
    expect(experiments(dir)).toEqual([]);
    // Slurm holds a requeued job back a while; let it start now, but only once the clock has
    // passed the second of the requeue: slurmd revokes the killed run's credential with
    // one-second granularity and refuses ("already killed") a launch credential from that second.
    const requeuedIn = Math.floor(Date.now() / 1000);
    await waitFor("a later second than the requeue", () => (Math.floor(Date.now() / 1000) > requeuedIn + 1 ? true : undefined));
    scontrol(["update", `jobid=${job}_0`, "starttime=now"]);
    await waitFor("the trial to run again", async () => ((await running(dir)).length === 1 ? true : undefined));
    writeFileSync(join(gate, "go-1"), "");
    await jobEnded(job);
    const exps = experiments(dir);
    expect(exps).toHaveLength(1);
    expect(exps[0]!.experiment.status).toBe("completed");
    expect(exps[0]!.env.slurm!["restart_count"]).toBe("1");
  }, 240_000); // Slurm holds a requeued job before it starts again: minutes on a busy machine

  it("early termination across workers: a trial below hyperband's cut-off, judged against another worker's recorded trial, is pruned", async () => {
    const dir = makeRepo({ commit: true });
    // lr 0.5 learns and ends; lr 5.0 stays bad and would run for ever
    writeFileSync(join(dir, "train.py"), [
      "import json, os, time",
      'lr = json.load(open(os.environ["GIT_EXP_CONFIG"]))["lr"]',
      'with open(os.environ["GIT_EXP_METRICS"], "a") as m:',
      "    step = 0",
      "    while lr >= 1 or step < 10:",
      '        m.write(json.dumps({"step": step, "loss": 1.0 / (1 + step * lr) if lr < 1 else 5.0 + 1.0 / (1 + step)}) + "\\n")',
      "        m.flush()",
      "        step += 1",
      "        if lr >= 1: time.sleep(0.1)",
      "",
    ].join("\n"));
    writeFileSync(join(dir, "sweep.yaml"), "method: grid\nmetric: {name: loss, goal: minimize}\nearly_terminate: {type: hyperband, min_iter: 2, eta: 3}\nparameters:\n  lr: {values: [0.5, 5.0]}\n");
    const r = await cli(dir, ["run", "--on", "slurm", "--sweep", "sweep.yaml", "-j", "2", "--wait", "--", "python3", "train.py"]);
    expect(r.code, r.stderr).toBe(0);
    const exps = experiments(dir) as (Shown & { config: { lr: number }; experiment: { pruned?: { rule: string; at_step: number } } })[];
    const byLr = new Map(exps.map((e) => [e.config.lr, e.experiment]));
    expect(byLr.get(0.5)!.status).toBe("completed");
    expect(byLr.get(5)).toMatchObject({ status: "interrupted", pruned: { rule: "hyperband" }, interruption: { by: "early termination (hyperband)" } });
    expect(byLr.get(5)!.pruned!.at_step).toBeGreaterThanOrEqual(2);
    const listed = JSON.parse((await cli(dir, ["sweeps", "--json"])).stdout) as { pruned: number; completed: number }[];
    expect(listed).toMatchObject([{ pruned: 1, completed: 1 }]);
    expect(readdirSync(join(dir, ".git", "exp", "studies", exps[0]!.experiment.sweep.id, "curves"))).toEqual([]);
  }, 120_000);

  it("a trial Slurm ends at its time limit is recorded as interrupted, with the reason", async () => {
    const { dir, job } = timeLimited ?? (await submitTimeLimited());
    await jobEnded(job, 240_000);
    const exps = experiments(dir);
    expect(exps).toHaveLength(1);
    expect(exps[0]!.experiment).toMatchObject({ status: "interrupted", interruption: { by: "slurm", reason: "time limit" } });
  }, 300_000);

  it("refuses, writing nothing: a partition Slurm does not have (2), a job that can never start (2), no sbatch (4)", async () => {
    const dir = makeRepo({ commit: true });
    const snap = repoSnapshot(dir);
    const bad = await cli(dir, ["run", "--on", "slurm", "--slurm", "--partition=no-such-partition", "--", "/bin/true"]);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/Slurm refused the job \(.*invalid partition.*\); nothing was submitted or recorded/);
    const never = await cli(dir, ["run", "--on", "slurm", "--slurm", "--time=2:00:00", "--", "/bin/true"]);
    expect(never.code, never.stderr).toBe(2);
    expect(never.stderr).toMatch(/job (\d+) can never start: Slurm holds it back for PartitionConfig.*cancelled and nothing was recorded/);
    const neverJob = /job (\d+) can never start/.exec(never.stderr)![1]!;
    expect([...taskStates(neverJob).values()].every((s) => s === "CANCELLED")).toBe(true);
    // a PATH with git but without the Slurm commands
    const bin = tempDir();
    symlinkSync(execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim(), join(bin, "git"));
    const missing = await cli(dir, ["run", "--on", "slurm", "--", "/bin/true"], { env: { PATH: bin } });
    expect(missing.code, missing.stderr).toBe(4);
    expect(missing.stderr).toMatch(/sbatch is not on PATH.*scripts\/slurm-local\.sh/);
    expect(repoSnapshot(dir)).toBe(snap);
    expect(studies(dir)).toEqual([]);
  });
});

describe("run --on: bad usage, refused before anything is submitted", () => {
  it("--wait or --slurm without --on, an unknown executor, bad gitexp.json defaults, unquoted ARGS; cancel of nothing", async () => {
    const dir = makeRepo({ commit: true });
    const snap = repoSnapshot(dir);
    const cases: [string[], number, RegExp][] = [
      [["run", "--wait", "--", "/bin/true"], 2, /--wait goes with --on slurm/],
      [["run", "--slurm", "--partition=x", "--", "/bin/true"], 2, /--slurm goes with --on slurm/],
      [["run", "--on", "kubernetes", "--", "/bin/true"], 2, /--on kubernetes: git exp runs on slurm/],
      [["run", "--on", "slurm", "--slurm", "--comment='open", "--", "/bin/true"], 2, /--slurm: a single quote is not closed/],
      [["run", "--on", "slurm", "--trials", "3", "--", "/bin/true"], 2, /--trials and --sampler-seed go with --sweep FILE/],
      [["cancel", "0123abcd"], 3, /no sweep or job '0123abcd' was submitted from this repository/],
      [["cancel", "not-an-id"], 2, /cancel takes a sweep id/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(dir, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
    }
    mkdirSync(join(dir, "sub"));
    for (const slurm of [["--array=0-3"], { array: "0-3" }, { partition: ["a"] }]) {
      writeFileSync(join(dir, "gitexp.json"), JSON.stringify({ slurm }));
      const r = await cli(dir, ["run", "--on", "slurm", "--", "/bin/true"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/gitexp\.json: (slurm|"slurm"|.*slurm)/);
    }
    expect(repoSnapshot(dir)).toBe(snap);
    expect(studies(dir)).toEqual([]);
  });
});

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository } from "../src/store/repository.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import type { Experiment } from "../src/core/experiment.js";
import { BIN, FIXTURES, TEST_ENV, binary, cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

const CHILD = join(FIXTURES, "run", "child.mjs");
const node = process.execPath;

async function read(dir: string, id: string): Promise<Experiment> {
  const store = new ExperimentStore(await openRepository(dir));
  try {
    return await store.read(id);
  } finally {
    await store.close();
  }
}

async function experiments(dir: string): Promise<Experiment[]> {
  const store = new ExperimentStore(await openRepository(dir));
  try {
    const ids = (await store.list()).refs.map((r) => r.id);
    return await Promise.all(ids.map((id) => store.read(id)));
  } finally {
    await store.close();
  }
}

const text = (exp: Experiment, path: string): string => Buffer.from(exp.files[path]!).toString("utf8");

beforeAll(() => {
  if (!existsSync(join(BIN, "..", "..", "dist", "src", "cli", "main.js"))) throw new Error("run npm run build first");
});
afterAll(cleanup);

describe("git exp run: parameters in, metrics out", () => {
  it("records series, final results as the last values, log, resources and the command", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--name", "first", "--tag", "smoke", "--", node, CHILD, "series"]);
    expect(r.code).toBe(0);
    const id = r.stdout.trim().split("\n").pop()!;
    expect(r.stdout).toContain("trained\n");
    expect(r.stderr).toContain("a warning on stderr");
    const exp = await read(dir, id);
    expect(exp.meta.status).toBe("completed");
    expect(exp.meta.exit_code).toBe(0);
    expect(exp.meta.name).toBe("first");
    expect(exp.meta.tags).toEqual(["smoke"]);
    expect(exp.meta.command).toEqual([node, CHILD, "series"]);
    expect(exp.results).toEqual({ loss: 0.2, val: { acc: 0.5 } });
    expect(exp.series["loss"]!.step).toEqual([10, 20, 30, 40, 50]);
    expect(exp.series["val.acc"]!.value).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(text(exp, "log.txt")).toContain("trained\n");
    expect(text(exp, "log.txt")).toContain("a warning on stderr\n");
    const res = exp.meta["resources"] as Record<string, number>;
    expect(res["wall_s"]).toBeGreaterThan(0);
    expect(res["cpu_s"]).toBeGreaterThanOrEqual(0);
    expect(res["peak_rss_bytes"]).toBeGreaterThan(0);
    expect(exp.meta.source?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(exp.env?.["runtimes"]).toMatchObject({ node: expect.stringMatching(/^v\d+/) });
    expect(git(dir, ["fsck", "--no-progress"])).toBe("");
  });

  it("merges --config and typed -p values into config.json and hands the child a canonical copy", async () => {
    const dir = makeRepo({ commit: true });
    const cfg = join(dir, "params.yaml");
    writeFileSync(cfg, "optimizer:\n  name: adam\n  lr: 0.1\nlayers: [64, 64]\nseed: 1\n");
    const seen = join(dir, "seen.json");
    const r = await cli(dir, [
      "run", "--config", cfg, "-p", "optimizer.lr=0.001", "-p", "use_bn=true", "-p", "tag=007", "-p", "note=a\\,b",
      "-p", "layers=[32,16]", "--seed", "42", "--", node, CHILD, "env", seen,
    ]);
    expect(r.code).toBe(0);
    const expected = { optimizer: { name: "adam", lr: 0.001 }, layers: [32, 16], seed: 42, use_bn: true, tag: "007", note: "a,b" };
    const child = JSON.parse(readFileSync(seen, "utf8"));
    expect(child.config).toEqual(expected);
    expect(child.configText).toBe(
      '{"layers":[32,16],"note":"a,b","optimizer":{"lr":0.001,"name":"adam"},"seed":42,"tag":"007","use_bn":true}\n',
    );
    expect(child.seed).toBe("42");
    expect(child.pythonHashSeed).toBe("42");
    const exp = await read(dir, r.stdout.trim());
    expect(exp.config).toEqual(expected);
    expect(exp.env?.["variables"]).toMatchObject({});
  });

  it("takes a final line over the last values, and --results over both", async () => {
    const dir = makeRepo({ commit: true });
    const a = await cli(dir, ["run", "--", node, CHILD, "final"]);
    expect((await read(dir, a.stdout.trim())).results).toEqual({ loss: 0.25, val: { acc: 0.75 } });
    const results = join(dir, "metrics.json");
    writeFileSync(results, '{"acc": 0.99, "f1": NaN}');
    const b = await cli(dir, ["run", "--results", results, "--", node, CHILD, "final"]);
    const exp = await read(dir, b.stdout.trim());
    expect(exp.results["acc"]).toBe(0.99);
    expect(Number.isNaN(exp.results["f1"])).toBe(true);
    expect(exp.series["loss"]!.value).toEqual([0.5]);
  });

  it("skips metrics lines that are not JSON objects, names text fields once, and still records", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--", node, CHILD, "bad-lines"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 metrics line\(s\).*skipped \(first at line 2\)/);
    expect(r.stderr).toContain('"loss" is text: not a metric');
    const exp = await read(dir, r.stdout.trim());
    expect(exp.series["loss"]!.value.map(String)).toEqual(["1", "NaN", "0.5", "0.4"]);
    expect(exp.meta["metrics_log"]).toMatchObject({ lines: 7, skipped_lines: 2, first_skipped_line: 2 });
  });

  it("passes the child's output through byte for byte", () => {
    const dir = makeRepo({ commit: true });
    const r = spawnSync(BIN, ["run", "--", node, CHILD, "bytes"], { cwd: dir, env: { ...process.env, ...TEST_ENV } });
    expect(r.status).toBe(0);
    const out = r.stdout as Buffer;
    expect(out.subarray(0, 9).equals(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a, 0xe2, 0x82, 0xac, 0x0a]))).toBe(true);
  });
});

describe("git exp run: a reader that goes away", () => {
  it("still records the run and exits with the command's code when its output is piped to head", () => {
    const dir = makeRepo({ commit: true });
    const script = `"${BIN}" run --name piped -- sh -c 'i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done' | head -1; echo "exit:\${PIPESTATUS[0]}"`;
    const r = spawnSync("bash", ["-c", script], { cwd: dir, env: { ...process.env, ...TEST_ENV }, encoding: "utf8" });
    expect(r.stdout).toContain("exit:0");
    expect(r.stderr).not.toMatch(/EPIPE|internal error/);
    expect(binary(dir, ["show", "piped"]).code).toBe(0);
  });
});

describe("git exp run: outcome", () => {
  it("records a failed run and exits with the child's exit code", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--", node, CHILD, "exit", "3"]);
    expect(r.code).toBe(3);
    const exp = await read(dir, r.stdout.trim());
    expect(exp.meta.status).toBe("failed");
    expect(exp.meta.exit_code).toBe(3);
    expect(exp.results).toEqual({ loss: 2 });
    expect(text(exp, "log.txt")).toContain("something went wrong");
  });

  it("records a child killed by a signal as failed with 128 + the signal number", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--", node, CHILD, "kill-self"]);
    expect(r.code).toBe(137);
    const exp = await read(dir, r.stdout.trim());
    expect(exp.meta.status).toBe("failed");
    expect(exp.meta["signal"]).toBe("SIGKILL");
  });

  it("passes SIGTERM to the child and still records the run as interrupted", async () => {
    const dir = makeRepo({ commit: true });
    const ready = join(dir, "ready");
    const proc = spawn(BIN, ["run", "--", node, CHILD, "wait", ready], { cwd: dir, env: { ...process.env, ...TEST_ENV } });
    let stdout = "";
    proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    while (!existsSync(ready)) await new Promise((ok) => setTimeout(ok, 50));
    proc.kill("SIGTERM");
    const code = await new Promise<number | null>((ok) => proc.on("close", ok));
    expect(code).toBe(143);
    const exp = await read(dir, stdout.trim().split("\n").pop()!);
    expect(exp.meta.status).toBe("interrupted");
    expect(exp.results).toEqual({ loss: 1 });
  });

  it("does not wait for a grandchild that keeps the output open after the child exits", async () => {
    const dir = makeRepo({ commit: true });
    const pidFile = join(dir, "grandchild.pid");
    try {
      const r = await cli(dir, ["run", "--", node, CHILD, "fork", pidFile]);
      expect(r.code).toBe(0);
      expect((await read(dir, r.stdout.trim().split("\n").pop()!)).meta.status).toBe("completed");
    } finally {
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8")));
        } catch {
          // already gone
        }
      }
    }
  });
});

describe("git exp run: bad input is refused before anything runs or is written", () => {
  it.each([
    [["run", "--", "no-such-command-xyz"], 3],
    [["run", "--", "./fixture-not-here.sh"], 3],
    [["run"], 2],
    [["run", "-p", "lr", "--", node, CHILD, "series"], 2],
    [["run", "-p", "=3", "--", node, CHILD, "series"], 2],
    [["run", "--seed", "-1", "--", node, CHILD, "series"], 2],
    [["run", "--config", "missing.json", "--", node, CHILD, "series"], 3],
    [["run", "--input", "missing.csv", "--", node, CHILD, "series"], 3],
    [["run", "--name", "bad\nname", "--", node, CHILD, "series"], 2],
    [["run", "-j", "0", "--", node, CHILD, "series"], 2],
    [["run", "--store-max-size", "lots", "--", node, CHILD, "series"], 2],
    [["run", "-p", "lr=1", "-p", "lr=2", "--", node, CHILD, "series"], 2],
    [["run", "-p", "a.b=1", "-p", "a=2", "--", node, CHILD, "series"], 2],
    [["run", "-p", "seed=1", "--seed", "2", "--", node, CHILD, "series"], 2],
  ])("%j exits %i", async (args, code) => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const r = await cli(dir, args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^git exp: /);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("refuses a script that is not executable, naming the fix", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.sh"), "echo hi\n");
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["run", "--", "./train.sh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("chmod +x");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("refuses a config file that is not JSON, with its position", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "c.json"), '{"lr": 0.1,}');
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["run", "--config", "c.json", "--", node, CHILD, "series"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/c\.json.*line 1/);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("refuses to run on a dirty tree with --require-clean", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), "print('changed')\n");
    const marker = join(dir, "ran");
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["run", "--require-clean", "--", node, CHILD, "write", marker]);
    expect(r.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("outside a repository exits 4", async () => {
    const r = await cli(tempDir(), ["run", "--", node, CHILD, "series"]);
    expect(r.code).toBe(4);
  });
});

describe("git exp run: code state", () => {
  it("stores the uncommitted diff as patch.diff, and git apply on the source commit rebuilds the tree exactly", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "model.py"), "layers = 3\n");
    writeFileSync(join(dir, "weights.bin"), Buffer.from([0, 1, 2, 255, 254, 0, 10]));
    mkdirSync(join(dir, "pkg"));
    writeFileSync(join(dir, "pkg", "gone.txt"), "bye\n");
    git(dir, ["add", "."]);
    git(dir, ["commit", "-q", "-m", "more"]);
    writeFileSync(join(dir, "train.py"), "print('train')\nprint('changed, no newline at end')");
    writeFileSync(join(dir, "weights.bin"), Buffer.from([9, 9, 0, 255, 1]));
    git(dir, ["rm", "-q", "pkg/gone.txt"]);
    writeFileSync(join(dir, "staged.py"), "x = 1\n");
    git(dir, ["add", "staged.py"]);
    writeFileSync(join(dir, "untracked.txt"), "not part of the code\n");
    const r = await cli(dir, ["run", "--", node, CHILD, "series"]);
    expect(r.code).toBe(0);
    const exp = await read(dir, r.stdout.trim().split("\n").pop()!);
    expect(exp.meta.source?.dirty).toBe(true);
    const rebuilt = tempDir();
    git(dir, ["worktree", "add", "-q", "--detach", rebuilt, exp.meta.source!.commit!]);
    writeFileSync(join(rebuilt, "..", "exp.patch"), exp.files["patch.diff"]!);
    git(rebuilt, ["apply", "--index", join(rebuilt, "..", "exp.patch")]);
    for (const f of ["train.py", "weights.bin", "staged.py", "model.py"]) {
      expect(readFileSync(join(rebuilt, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    }
    expect(existsSync(join(rebuilt, "pkg", "gone.txt"))).toBe(false);
    expect(existsSync(join(rebuilt, "untracked.txt"))).toBe(false);
    git(dir, ["add", "-u"]);
    expect(git(rebuilt, ["write-tree"])).toBe(git(dir, ["write-tree"]));
  });
});

describe("git exp run: inputs, outputs, artifacts", () => {
  it("checksums inputs with a cache keyed by path, size and mtime", async () => {
    const dir = makeRepo({ commit: true });
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "train.csv"), "a,b\n1,2\n");
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import("node:fs");
    utimesSync(join(dir, "data", "train.csv"), old, old);
    const r1 = await cli(dir, ["run", "--input", "data", "--", node, CHILD, "series"]);
    const real = (await read(dir, r1.stdout.trim().split("\n").pop()!)).inputs!["data/train.csv"] as { sha256: string; size: number };
    expect(real.size).toBe(8);
    // Plant a different checksum in the cache: if the second run reads it, the file was not hashed again.
    const cacheFile = join(dir, ".git", "exp", "hash-cache.json");
    const cache = JSON.parse(readFileSync(cacheFile, "utf8"));
    const key = Object.keys(cache.entries).find((k) => k.endsWith("train.csv"))!;
    const planted = "0".repeat(64);
    cache.entries[key].value = planted;
    writeFileSync(cacheFile, JSON.stringify(cache));
    const r2 = await cli(dir, ["run", "--input", "data", "-p", "x=2", "--", node, CHILD, "series"]);
    expect(((await read(dir, r2.stdout.trim().split("\n").pop()!)).inputs!["data/train.csv"] as { sha256: string }).sha256).toBe(planted);
    // A changed mtime is a miss: the file is hashed again.
    const older = new Date(Date.now() - 30_000);
    utimesSync(join(dir, "data", "train.csv"), older, older);
    const r3 = await cli(dir, ["run", "--input", "data", "-p", "x=3", "--", node, CHILD, "series"]);
    expect(((await read(dir, r3.stdout.trim().split("\n").pop()!)).inputs!["data/train.csv"] as { sha256: string }).sha256).toBe(real.sha256);
  });

  it("checksums outputs and keeps small ones under artifacts/", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--store-output", "model.txt", "--", node, CHILD, "write", "model.txt", "weights\n"]);
    expect(r.code).toBe(0);
    const exp = await read(dir, r.stdout.trim());
    expect(exp.outputs!["model.txt"]).toMatchObject({ size: 8 });
    expect(text(exp, "artifacts/model.txt")).toBe("weights\n");
    const big = await cli(dir, ["run", "--store-output", "big.txt", "--store-max-size", "4", "--", node, CHILD, "write", "big.txt", "0123456789"]);
    const e2 = await read(dir, big.stdout.trim());
    expect(e2.outputs!["big.txt"]).toMatchObject({ size: 10 });
    expect(e2.files["artifacts/big.txt"]).toBeUndefined();
    expect(big.stderr).toContain("--store-max-size");
  });
});

describe("git exp run: secrets never leave the machine", () => {
  it("redacts planted secrets from env.json, the command line, config.json and log.txt", async () => {
    const dir = makeRepo({ commit: true });
    const secrets = {
      HF_TOKEN: "hf_abcdefghijklmnopqrstuvwxyzABCD",
      MY_API_KEY: "k3y-Zq81-Xw92-Lm44-Pp07",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      DATABASE_URL: "postgres://ml:s3cretpw@db.internal:5432/runs",
      CUDA_VISIBLE_DEVICES: "0,1",
    };
    const r = await cli(
      dir,
      [
        "run", "--env", "MY_API_KEY", "--env", "DATABASE_URL", "--env", "HF_TOKEN",
        "-p", "wandb_api_key=abc123secretvalue", "-p", "lr=0.1",
        "--", node, CHILD, "print", "--password", "hunter2hunter2", "--token=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "postgres://ml:s3cretpw@db.internal:5432/runs", "AKIAIOSFODNN7EXAMPLE",
      ],
      { env: secrets },
    );
    expect(r.code).toBe(0);
    const id = r.stdout.trim().split("\n").pop()!;
    const exp = await read(dir, id);
    const vars = exp.env!["variables"] as Record<string, string>;
    expect(vars["CUDA_VISIBLE_DEVICES"]).toBe("0,1");
    expect(vars["HF_TOKEN"]).toBe("[REDACTED]");
    expect(vars["MY_API_KEY"]).toBe("[REDACTED]");
    expect(vars["DATABASE_URL"]).toBe("postgres://ml:[REDACTED]@db.internal:5432/runs");
    expect(vars["AWS_SECRET_ACCESS_KEY"]).toBeUndefined();
    expect(exp.config).toEqual({ wandb_api_key: "[REDACTED]", lr: 0.1 });
    expect(exp.meta.command).toContain("--password");
    // Every blob of the experiment, as plain git sees it: no secret anywhere.
    const all = git(dir, ["ls-tree", "-r", "--name-only", id])
      .trim()
      .split("\n")
      .map((p) => git(dir, ["cat-file", "-p", `${id}:${p}`]))
      .join("\n");
    for (const s of [...Object.values(secrets).slice(0, 3), "s3cretpw", "hunter2hunter2", "ghp_aaaaaaaaaaaa", "AKIAIOSFODNN7EXAMPLE", "abc123secretvalue"]) {
      expect(all, s).not.toContain(s);
    }
    expect(all).toContain("[REDACTED]");
  });
});

describe("git exp run: sweeps", () => {
  it("runs the cartesian product, records a failing point and goes on, and prints a summary", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--name", "sw", "-p", "lr=0.1,0.2,0.3", "-p", "epochs=5,10", "--", node, CHILD, "sweep", "0.2"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^#\s+id\s+status\s+exit\s+time_s\s+lr\s+epochs\s+score/);
    expect(lines).toHaveLength(7);
    const exps = await experiments(dir);
    expect(exps).toHaveLength(6);
    const failed = exps.filter((e) => e.meta.status === "failed");
    expect(failed.map((e) => e.config["lr"])).toEqual([0.2, 0.2]);
    expect(exps.map((e) => e.meta.name).sort()).toEqual(["sw-1", "sw-2", "sw-3", "sw-4", "sw-5", "sw-6"]);
    const sweep = exps[0]!.meta["sweep"] as { id: string; size: number };
    expect(sweep.size).toBe(6);
    expect(new Set(exps.map((e) => (e.meta["sweep"] as { id: string }).id)).size).toBe(1);
    expect(r.stderr).toContain("sweep of 6: 4 completed, 2 failed");
  });

  it("stops at the first failure with --fail-fast", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--fail-fast", "-p", "lr=0.1,0.2,0.3", "--", node, CHILD, "sweep", "0.2"]);
    expect(r.code).toBe(1);
    expect(await experiments(dir)).toHaveLength(2);
    expect(r.stderr).toContain("1 not run");
  });

  it("git exp sweeps counts interrupted trials and shows the sweep's size as trials, the not run ones included", async () => {
    const dir = makeRepo({ commit: true });
    // three points start at once, each cut short; --fail-fast then leaves the fourth not run
    const r = await cli(dir, ["run", "-p", "lr=1,2,3,4", "-j", "3", "--fail-fast", "--", node, CHILD, "term-self"]);
    expect(r.stderr).toContain("1 not run");
    const exps = await experiments(dir);
    expect(exps.map((e) => e.meta.status)).toEqual(["interrupted", "interrupted", "interrupted"]);
    const table = await cli(dir, ["sweeps", "--format", "csv"]);
    expect(table.code, table.stderr).toBe(0);
    const [head, row] = table.stdout.trim().split("\n").map((l) => l.split(","));
    const cell = (name: string): string => row![head!.indexOf(name)]!;
    expect([cell("trials"), cell("completed"), cell("pruned"), cell("failed"), cell("interrupted")]).toEqual(["4", "0", "0", "0", "3"]);
    // JSON keeps its fields (trials: those recorded) and adds size and interrupted
    const json = await cli(dir, ["sweeps", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject([{ trials: 3, size: 4, completed: 0, pruned: 0, failed: 0, interrupted: 3 }]);
  });

  it("git exp show says the signal, who stopped the run and why, and which trial of which sweep it is", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["run", "--name", "cut", "-p", "lr=1,2", "--", node, CHILD, "term-self"]);
    expect(r.stderr).toContain("sweep of 2");
    const exp = (await experiments(dir)).find((e) => e.meta.name === "cut-1")!;
    const sweepId = (exp.meta["sweep"] as { id: string }).id;
    const shown = await cli(dir, ["show", "cut-1"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Status: +interrupted \(exit code 143, signal SIGTERM\)$/m);
    expect(shown.stdout).toMatch(new RegExp(`^Sweep: +${sweepId} trial 1 of 2 \\(grid\\)$`, "m"));
    expect(shown.stdout).not.toMatch(/^Stopped:/m);
    // a run a scheduler stopped records who and why: as a cancelled Slurm task writes it
    const doc = {
      experiment: { name: "cancelled", created_at: "2026-01-01T00:00:00.000Z", status: "interrupted", signal: "SIGTERM", interruption: { by: "slurm", reason: "cancelled (scancel)" } },
      config: { lr: 1 },
      results: { loss: 1 },
    };
    const file = join(tempDir(), "doc.ndjson");
    writeFileSync(file, JSON.stringify(doc) + "\n");
    expect((await cli(dir, ["import", file])).code).toBe(0);
    const cancelled = await cli(dir, ["show", "cancelled"]);
    expect(cancelled.stdout).toMatch(/^Stopped: +by slurm: cancelled \(scancel\)$/m);
    expect(cancelled.stdout).not.toMatch(/^Sweep:/m);
  });

  it("runs a YAML grid two at a time, seeds included, with --json", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "grid.yaml"), "parameters:\n  lr:\n    values: [0.1, 0.5]\n  batch:\n    value: 32\n");
    const r = await cli(dir, ["run", "--grid", "grid.yaml", "--seed", "1,2", "-j", "2", "--json", "--", node, CHILD, "sweep", "9"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { status: string; varying: Record<string, unknown> }[];
    expect(rows).toHaveLength(4);
    // The keys of a single run's --json (and of experiment.json), plus where the point is.
    expect(Object.keys(rows[0]!).sort()).toEqual(["duration_s", "exit_code", "id", "index", "results", "status", "varying"]);
    expect(rows.map((x) => x.varying)).toEqual([
      { lr: 0.1, seed: 1 },
      { lr: 0.1, seed: 2 },
      { lr: 0.5, seed: 1 },
      { lr: 0.5, seed: 2 },
    ]);
    const exps = await experiments(dir);
    expect(exps.every((e) => e.config["batch"] === 32 && e.meta.status === "completed")).toBe(true);
  });
});

describe("git exp run: GPUs", () => {
  it("samples utilisation and memory from nvidia-smi when it is on PATH", async () => {
    const dir = makeRepo({ commit: true });
    const PATH = `${join(FIXTURES, "run", "bin")}:${process.env["PATH"]}`;
    const r = await cli(dir, ["run", "--", node, "-e", "setTimeout(() => {}, 1500)"], { env: { PATH } });
    expect(r.code).toBe(0);
    const exp = await read(dir, r.stdout.trim());
    const gpus = (exp.meta["resources"] as { gpus: Record<string, unknown>[] }).gpus;
    expect(gpus[0]).toMatchObject({ index: 0, name: "Tesla T4", utilization_max_pct: 35, memory_max_mb: 1200 });
    expect(gpus[1]).toMatchObject({ index: 1, utilization_max_pct: 0 });
  });
});

const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

describe.runIf(python)("git exp run: a Python script with the three-line protocol", () => {
  it("logs metrics from Python with json and the environment variables", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(
      join(dir, "train.py"),
      [
        "import json, os",
        "config = json.load(open(os.environ['GIT_EXP_CONFIG']))",
        "with open(os.environ['GIT_EXP_METRICS'], 'a') as f:",
        "    for step in range(3):",
        "        f.write(json.dumps({'step': step, 'loss': config['lr'] * (3 - step), 'hash_seed': int(os.environ['PYTHONHASHSEED'])}) + '\\n')",
        "    f.write(json.dumps({'loss': float('nan'), 'final': True}) + '\\n')",
        "print('done')",
      ].join("\n"),
    );
    const r = await cli(dir, ["run", "-p", "lr=0.5", "--seed", "7", "--", python!, "train.py"]);
    expect(r.code).toBe(0);
    const exp = await read(dir, r.stdout.trim().split("\n").pop()!);
    expect(exp.series["loss"]!.value).toEqual([1.5, 1, 0.5]);
    expect(exp.series["hash_seed"]!.value).toEqual([7, 7, 7]);
    expect(Number.isNaN(exp.results["loss"])).toBe(true);
    expect(exp.env!["runtimes"]).toMatchObject({ python: expect.stringMatching(/^3\./) });
    expect(Object.keys((exp.env!["packages"] as { python: object }).python).length).toBeGreaterThan(0);
  });
});

describe("the built binary", () => {
  it("runs the Iris training fixture", () => {
    const dir = makeRepo({ commit: true });
    const r = binary(dir, ["run", "-p", "lr=0.5", "-p", "epochs=5", "--", node, join(FIXTURES, "train", "logreg.mjs")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("epoch 5/5");
    const id = r.stdout.trim().split("\n").pop()!;
    const results = JSON.parse(git(dir, ["cat-file", "-p", `${id}:results.json`]));
    expect(results.val.accuracy).toBeGreaterThan(0.5);
  });
});

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listLive, startLive } from "../src/capture/live.js";
import { openRepository } from "../src/store/repository.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { Workspace } from "../src/api/workspace.js";
import { startUi } from "../src/cli/ui/start.js";
import { BIN, FIXTURES, TEST_ENV, binary, cleanup, cli, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

const TRAINER = join(FIXTURES, "live", "trainer.mjs");
const node = process.execPath;

interface LiveJson {
  key: string;
  pid: number;
  name?: string;
  command: string[];
  step: number | null;
  lines: number;
  latest: Record<string, number | null>;
}

async function running(dir: string): Promise<LiveJson[]> {
  const r = await cli(dir, ["ls", "--running", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LiveJson[];
}

/** Wait (without a time limit of our own: vitest's applies) until the condition holds. */
async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("live runs", () => {
  it("ls --running shows a latest NaN as NaN and an infinity as inf; --json as the strings of the storage format", async () => {
    const dir = makeRepo({ commit: true });
    const f = tempDir();
    const release = join(f, "release");
    const script = join(f, "diverge.mjs");
    writeFileSync(script, [
      'import { appendFileSync, existsSync } from "node:fs";',
      'appendFileSync(process.env.GIT_EXP_METRICS, \'{"step": 1, "loss": NaN, "grad": Infinity, "acc": 0.5}\\n\');',
      `const wait = setInterval(() => existsSync(${JSON.stringify(release)}) && clearInterval(wait), 20);`,
    ].join("\n"));
    const run = spawn(BIN, ["run", "--name", "diverging", "--", node, script], { cwd: dir, env: { ...process.env, ...TEST_ENV } });
    const exited = new Promise((r) => run.on("exit", r));
    try {
      const seen = await until(async () => {
        const r = binary(dir, ["ls", "--running", "--json"]);
        const runs = JSON.parse(r.stdout || "[]") as { lines: number; latest: Record<string, unknown> }[];
        return runs.find((x) => x.lines >= 1);
      });
      expect(seen.latest).toEqual({ loss: "NaN", grad: "Infinity", acc: 0.5 });
      expect(binary(dir, ["ls", "--running", "--format", "csv"]).stdout).toMatch(/,diverging,.*,loss=NaN grad=inf acc=0\.5,/);
    } finally {
      writeFileSync(release, "");
      await exited;
    }
  });

  it("git exp run leaves a live record while the child runs; ls --running shows its metrics so far", async () => {
    const dir = makeRepo({ commit: true });
    const release = join(tempDir(), "release");
    const run = cli(dir, ["run", "--name", "growing", "--", node, TRAINER, release]);
    const seen = await until(async () => (await running(dir)).find((r) => r.lines >= 3));
    expect(seen).toMatchObject({ pid: process.pid, name: "growing", step: 2, latest: { loss: 0.5, acc: 0.3 } });
    expect(seen.command).toEqual([node, TRAINER, release]);
    const table = await cli(dir, ["ls", "--running"]);
    expect(table.stdout).toMatch(/growing .* 2 +loss=0\.5 acc=0\.3/);
    writeFileSync(release, "");
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    const id = done.stdout.trim().split("\n").pop()!;
    expect(await running(dir)).toEqual([]);
    // the ended run points at the experiment it became, for a dashboard following it
    const ended = await listLive(await openRepository(dir), { ended: true });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ experiment: id, status: "completed", name: "growing" });
    const empty = await cli(dir, ["ls", "--running"]);
    expect(empty.stderr).toMatch(/no runs in progress/);
  });

  it("cleans up records whose process is gone, and leaves none when a command cannot start", async () => {
    const dir = makeRepo({ commit: true });
    const repo = await openRepository(dir);
    const gone = spawnSync(node, ["-e", "0"]).pid!;
    await startLive(repo, { pid: gone, started_at: new Date().toISOString(), command: ["python", "train.py"], metrics_file: "/nonexistent", cwd: dir });
    const liveDir = join(repo.expDir, "live");
    expect(readdirSync(liveDir)).toHaveLength(1);
    expect(await running(dir)).toEqual([]);
    expect(readdirSync(liveDir)).toHaveLength(0);
    const missing = await cli(dir, ["run", "--", "no-such-command-xyz"]);
    expect(missing.code).toBe(3);
    expect(readdirSync(liveDir)).toHaveLength(0);
  });

  it("refuses recorded-experiment options with --running, writing nothing", async () => {
    const dir = makeRepo({ commit: true });
    const snap = repoSnapshot(dir);
    for (const extra of [["--where", "params.lr < 1"], ["--sort", "name"], ["--tag", "x"]]) {
      const r = await cli(dir, ["ls", "--running", ...extra]);
      expect(r.code, extra.join(" ")).toBe(2);
    }
    expect(repoSnapshot(dir)).toBe(snap);
    expect(existsSync(join(dir, ".git", "exp", "index.duckdb"))).toBe(false);
  });

  it("the dashboard follows a live run's metrics file as it grows, NaN kept as a gap", async () => {
    const dir = makeRepo({ commit: true });
    const repo = await openRepository(dir);
    const ws = new Workspace({ cwd: dir });
    const store = await ws.store();
    const ui = await startUi(ws, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
    try {
      const metrics = join(tempDir(), "metrics.jsonl");
      mkdirSync(join(metrics, ".."), { recursive: true });
      writeFileSync(metrics, '{"step": 0, "loss": 1}\n{"step": 1, "loss": NaN}\n');
      const handle = await startLive(repo, { pid: process.pid, started_at: new Date().toISOString(), command: ["train"], name: "watch-me", metrics_file: metrics, cwd: dir });
      type Live = { runs: { name: string; step: number; series: Record<string, { step: number[]; value: (number | string | null)[] }>; ended_at?: string; experiment?: string }[] };
      const get = async (): Promise<Live> => (await (await fetch(ui.url + "api/live")).json()) as Live;
      const first = await get();
      expect(first.runs[0]).toMatchObject({ name: "watch-me", step: 1, series: { loss: { step: [0, 1], value: [1, "NaN"] } } });
      appendFileSync(metrics, '{"step": 2, "loss": 0.5}\n{"step": 3, "lo');
      const second = await get();
      expect(second.runs[0]!.series["loss"]).toEqual({ step: [0, 1, 2], value: [1, "NaN", 0.5] });
      appendFileSync(metrics, 'ss": 0.25}\n');
      expect((await get()).runs[0]!.series["loss"]!.step).toEqual([0, 1, 2, 3]);
      await handle.finish({ experiment: "abc123", status: "completed" });
      expect((await get()).runs[0]).toMatchObject({ experiment: "abc123", series: {} });
    } finally {
      await ui.close();
      await store.close();
    }
  });
});

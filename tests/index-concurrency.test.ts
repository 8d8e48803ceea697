import { spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { BIN, ROOT, TEST_ENV, binary, cleanup, makeRepo, tempDir } from "./helpers/repo.js";
import { fixtureDocs, importDocs } from "./helpers/experiments.js";

/** Real processes against one repository: DuckDB's file lock is per process. */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function start(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, cmd = BIN): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...TEST_ENV, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = makeRepo({ commit: true });
  await importDocs(dir, fixtureDocs(40));
});
afterAll(cleanup);

test("record, ls and sql running at once all succeed and agree in the end", async () => {
  const files = tempDir();
  const runs: Promise<Run>[] = [];
  for (let i = 0; i < 4; i++) {
    const config = join(files, `c${i}.json`);
    const results = join(files, `r${i}.json`);
    writeFileSync(config, JSON.stringify({ lr: 1 + i }));
    writeFileSync(results, JSON.stringify({ acc: i / 10 }));
    runs.push(start(dir, ["record", "--config", config, "--results", results, "--name", `parallel-${i}`]));
    runs.push(start(dir, ["ls", "--json", "--where", "metrics.val.acc > 0.1"]));
    runs.push(start(dir, ["sql", "SELECT count(*) AS n FROM experiments", "--json"]));
  }
  for (const r of await Promise.all(runs)) expect(r.code, r.stderr).toBe(0);
  const final = binary(dir, ["sql", "SELECT count(*) AS n FROM experiments WHERE name LIKE 'parallel-%'", "--json"]);
  expect(final.code, final.stderr).toBe(0);
  expect(JSON.parse(final.stdout)).toEqual([{ n: 4 }]);
});

test("a reader waits while another process holds the index, and gives up with exit 4 past the timeout", async () => {
  expect(binary(dir, ["index"]).code).toBe(0);
  const holder = join(tempDir(), "hold.mjs");
  const api = join(ROOT, "node_modules", "@duckdb", "node-api", "lib", "index.js");
  writeFileSync(
    holder,
    `import { DuckDBInstance } from ${JSON.stringify(api)};
     const db = await DuckDBInstance.create(process.argv[2]);
     const c = await db.connect();
     process.stdout.write("held\\n");
     setTimeout(() => { c.closeSync(); db.closeSync(); }, Number(process.argv[3]));`,
  );
  const path = join(dir, ".git", "exp", "index.duckdb");
  const hold = (ms: number): { done: Promise<Run>; held: Promise<void> } => {
    const child = spawn(process.execPath, [holder, path, String(ms)]);
    const held = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout: "", stderr: "" })));
    return { done, held };
  };
  const first = hold(1500);
  await first.held;
  const waited = await start(dir, ["ls", "--json"]);
  expect(waited.code, waited.stderr).toBe(0);
  expect(JSON.parse(waited.stdout).length).toBeGreaterThanOrEqual(40);
  await first.done;
  const second = hold(4000);
  await second.held;
  const busy = await start(dir, ["ls", "--json"], { GIT_EXP_LOCK_TIMEOUT: "0.5" });
  expect(busy.code, busy.stderr).toBe(4);
  expect(busy.stderr).toMatch(/held by another git-exp process/);
  await second.done;
});

test("an update waits for another writer, then answers from the last indexed state; never writes beside a build", async () => {
  expect(binary(dir, ["index"]).code).toBe(0);
  const lock = join(dir, ".git", "exp", "index.duckdb.lock");
  const before = JSON.parse(binary(dir, ["ls", "--json"]).stdout) as unknown[];
  // Another live writer (this test process) holds the lock: a full build, say.
  writeFileSync(lock, String(process.pid));
  try {
    await importDocs(dir, [{ experiment: { name: "while-locked", created_at: "2026-03-01T00:00:00.000Z" }, config: { lr: 9 }, results: { acc: 1 } }]);
    const waited = await start(dir, ["ls", "--json"], { GIT_EXP_LOCK_TIMEOUT: "0.5" });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(/busy in another git-exp process; answering from the last indexed state/);
    expect(JSON.parse(waited.stdout)).toHaveLength(before.length);
    expect(existsSync(join(dir, ".git", "exp", "index.duckdb.wal"))).toBe(false);
    // A rebuild cannot answer from a snapshot: it gives up past the timeout, naming the lock.
    const rebuild = await start(dir, ["index", "--rebuild"], { GIT_EXP_LOCK_TIMEOUT: "0.5" });
    expect(rebuild.code).toBe(4);
    expect(rebuild.stderr).toContain(`delete ${lock}`);
  } finally {
    rmSync(lock, { force: true });
  }
  const after = await start(dir, ["ls", "--json"]);
  expect(after.code, after.stderr).toBe(0);
  expect(JSON.parse(after.stdout)).toHaveLength(before.length + 1);
  // A lock left by a process that is gone is taken over.
  writeFileSync(lock, "999999999");
  expect(binary(dir, ["index", "--rebuild"]).code).toBe(0);
});

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, git, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

/** Mounting needs root (and a container that lets it): the disk cases run where they can. */
const root = process.getuid?.() === 0;
const canMount = root && mountable();

function mountable(): boolean {
  const probe = tempDir("git-exp-mount-");
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]).status !== 0) return false;
  spawnSync("umount", [probe]);
  return true;
}

async function record(dir: string, name: string, lr: number): Promise<void> {
  const r = await cli(dir, ["record", "--name", name, "--config", writeJson(dir, `${name}.json`, { lr }), "--results", writeJson(dir, `${name}-r.json`, { acc: lr })]);
  expect(r.code, r.stderr).toBe(0);
}

/** Two experiments indexed, then a third the index has not seen: a stale index. */
async function staleRepo(dir: string): Promise<void> {
  await record(dir, "a", 1);
  await record(dir, "b", 2);
  expect((await cli(dir, ["ls"])).code).toBe(0);
  await record(dir, "c", 3);
}

/** What a read answers and leaves: the right rows from the refs, a note saying what to do, no lock, no empty file. */
async function expectAnswerFromRefs(dir: string, says: string): Promise<void> {
  const ls = await cli(dir, ["ls", "--json"]);
  expect(ls.code, ls.stderr).toBe(0);
  expect((JSON.parse(ls.stdout) as { name: string }[]).map((e) => e.name).sort()).toEqual(["a", "b", "c"]);
  expect(ls.stderr).toContain(says);
  expect(ls.stderr).toContain("answering from the experiment refs instead");
  const top = await cli(dir, ["sql", "SELECT count(*) AS n FROM experiments", "--json"]);
  expect(top.code, top.stderr).toBe(0);
  expect(JSON.parse(top.stdout)).toEqual([{ n: 3 }]);
  const index = await cli(dir, ["index"]);
  expect(index.code).toBe(4);
  expect(index.stderr).toContain(says);
  expect(index.stderr).not.toMatch(/internal error|\n\s+at /);
  const exp = join(dir, ".git", "exp");
  for (const f of readdirSync(exp)) {
    expect(f).not.toMatch(/\.lock|\.tmp-/);
    const st = statSync(join(exp, f));
    if (st.isFile()) expect(st.size, f).toBeGreaterThan(0);
  }
}

describe("an index that cannot be written: reads answer from the refs, writes exit 4", () => {
  it("index.duckdb replaced by a folder", async () => {
    const dir = makeRepo({ commit: true });
    await staleRepo(dir);
    const path = join(dir, ".git", "exp", "index.duckdb");
    rmSync(path);
    mkdirSync(path);
    writeFileSync(join(path, "keep"), "x");
    await expectAnswerFromRefs(dir, `the index ${path} is a folder, not a file: move it away`);
    // Still read-only: answering from memory lets no SQL change it.
    const drop = await cli(dir, ["sql", "DROP TABLE experiments"]);
    expect(drop.code).toBe(2);
    expect(drop.stderr).toContain("git exp sql only reads");
    expect(statSync(join(path, "keep")).isFile()).toBe(true);
  });

  it.skipIf(!root ? false : !canMount)("a read-only .git with a stale index", async () => {
    const dir = makeRepo({ commit: true });
    await staleRepo(dir);
    const gitDir = join(dir, ".git");
    const undo = readOnly(gitDir);
    try {
      await expectAnswerFromRefs(dir, "cannot be written");
    } finally {
      undo();
    }
  });

  it.skipIf(!canMount)("a full disk", async () => {
    const disk = tempDir("git-exp-full-");
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk]).status).toBe(0);
    try {
      const dir = join(disk, "repo");
      mkdirSync(dir);
      git(dir, ["init", "-q", "-b", "main"]);
      git(dir, ["config", "user.name", "Ada Lovelace"]);
      git(dir, ["config", "user.email", "ada@example.com"]);
      await staleRepo(dir);
      spawnSync("dd", ["if=/dev/zero", `of=${join(disk, "fill")}`, "bs=64k"]);
      await expectAnswerFromRefs(dir, "is full, so the index cannot be updated: free some space there");
    } finally {
      spawnSync("umount", [disk]);
    }
  });
});

/** Make a folder read-only for this process: a read-only bind mount for root (who ignores modes), else chmod. */
function readOnly(dir: string): () => void {
  if (!root) {
    spawnSync("chmod", ["-R", "a-w", dir]);
    return () => void spawnSync("chmod", ["-R", "u+w", dir]);
  }
  expect(spawnSync("mount", ["--bind", dir, dir]).status).toBe(0);
  expect(spawnSync("mount", ["-o", "remount,bind,ro", dir]).status).toBe(0);
  return () => void spawnSync("umount", [dir]);
}

import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cleanup, git, makeRepo, repoSnapshot, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

/**
 * A run with uncommitted changes, then the repository moving on: a commit that changes the
 * code the run used and adds a file. `original` is the tree the run saw (a stash commit).
 */
async function movedOnOnce(): Promise<{ dir: string; id: string; original: string; head: string }> {
  const dir = makeRepo({ commit: true });
  writeFileSync(join(dir, "lib.py"), "RATE = 1\n");
  git(dir, ["add", "lib.py"]);
  git(dir, ["commit", "-q", "-m", "lib"]);
  writeFileSync(join(dir, "lib.py"), "RATE = 2  # tried while dirty\n");
  writeFileSync(join(dir, "train.py"), "import lib\nprint('rate', lib.RATE)\n");
  const original = git(dir, ["stash", "create"]).trim();
  const run = await cli(dir, ["run", "--name", "dirty-run", "--", "python3", "train.py"]);
  expect(run.code, run.stderr).toBe(0);
  const id = run.stdout.trim().split("\n").pop()!;
  git(dir, ["checkout", "--", "."]);
  writeFileSync(join(dir, "lib.py"), "RATE = 3\n");
  writeFileSync(join(dir, "later.py"), "print('later')\n");
  git(dir, ["add", "."]);
  git(dir, ["commit", "-q", "-m", "moved on"]);
  return { dir, id, original, head: git(dir, ["rev-parse", "HEAD"]).trim() };
}

let made: ReturnType<typeof movedOnOnce> | undefined;

/** The repository of movedOnOnce, made once and copied for each test (a run takes seconds). */
async function movedOn(): Promise<{ dir: string; id: string; original: string; head: string }> {
  made ??= movedOnOnce();
  const m = await made;
  const dir = join(tempDir(), "repo");
  cpSync(m.dir, dir, { recursive: true });
  return { ...m, dir };
}

describe("git exp apply", () => {
  it("rebuilds a dirty run's exact tree in the work tree without moving HEAD", async () => {
    const { dir, id, original, head } = await movedOn();
    const r = await cli(dir, ["apply", id.slice(0, 8)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/applied the code of experiment [0-9a-f]{12}: the diff from HEAD to its source commit [0-9a-f]{12}, its uncommitted changes \(patch\.diff\); 3 file\(s\) changed/);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(["D\tlater.py", "M\tlib.py", "M\ttrain.py"]);
    expect(git(dir, ["diff", original])).toBe("");
    expect(readFileSync(join(dir, "lib.py"), "utf8")).toBe("RATE = 2  # tried while dirty\n");
    expect(git(dir, ["rev-parse", "HEAD"]).trim()).toBe(head);
    // Applied twice: the tree is dirty with the run's own changes, which is no refusal.
    const before = repoSnapshot(dir);
    const status = git(dir, ["status", "--porcelain"]);
    const again = await cli(dir, ["apply", "dirty-run"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already holds the code of experiment [0-9a-f]{12}; nothing changed/);
    expect(again.stdout).toBe("");
    expect(repoSnapshot(dir)).toBe(before);
    expect(git(dir, ["status", "--porcelain"])).toBe(status);
    expect(git(dir, ["diff", original])).toBe("");
    // One change of the user's on top, and it is their uncommitted work again: refused.
    writeFileSync(join(dir, "lib.py"), "RATE = 4\n");
    const edited = await cli(dir, ["apply", "dirty-run"]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/the work tree has uncommitted changes/);
    expect(readFileSync(join(dir, "lib.py"), "utf8")).toBe("RATE = 4\n");
    // Or a tracked file the run did not have, back in the work tree.
    writeFileSync(join(dir, "lib.py"), "RATE = 2  # tried while dirty\n");
    writeFileSync(join(dir, "later.py"), "print('later')\n");
    const restored = await cli(dir, ["apply", "dirty-run"]);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toMatch(/the work tree has uncommitted changes/);
  });

  it("applied twice, sees a file the run added and a config file HEAD lacks as already there", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "added.py"), "print('new')\n");
    git(dir, ["add", "added.py"]);
    writeJson(dir, "params.json", { lr: 0.1 });
    const run = await cli(dir, ["run", "--config", "params.json", "-p", "lr=0.5", "--", "python3", "train.py"]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim().split("\n").pop()!;
    git(dir, ["rm", "-q", "--cached", "added.py"]);
    rmSync(join(dir, "added.py"));
    rmSync(join(dir, "params.json"));
    expect(git(dir, ["status", "--porcelain"])).toBe("");
    const first = await cli(dir, ["apply", id]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split("\n").filter(Boolean).sort()).toEqual(["A\tadded.py", "A\tparams.json"]);
    const before = repoSnapshot(dir);
    const again = await cli(dir, ["apply", id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already holds the code/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(JSON.parse(readFileSync(join(dir, "params.json"), "utf8"))).toEqual({ lr: 0.5 });
    // A file of the run's, changed since: not the run's code any more.
    writeFileSync(join(dir, "added.py"), "print('changed')\n");
    const changed = await cli(dir, ["apply", id]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/does not apply to this work tree \(nothing was changed\)/);
    expect(readFileSync(join(dir, "added.py"), "utf8")).toBe("print('changed')\n");
  });

  it("refuses on uncommitted changes unless --force, changing nothing", async () => {
    const { dir, id } = await movedOn();
    writeFileSync(join(dir, "train.py"), "print('mine')\n");
    const r = await cli(dir, ["apply", id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uncommitted changes \(train\.py\): commit or stash them first, or pass --force/);
    expect(readFileSync(join(dir, "train.py"), "utf8")).toBe("print('mine')\n");
    expect(readFileSync(join(dir, "lib.py"), "utf8")).toBe("RATE = 3\n");
    // forced, the run's train.py conflicts with the local one: one patch, so nothing changes
    const forced = await cli(dir, ["apply", id, "--force"]);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/does not apply to this work tree \(nothing was changed\)/);
    expect(readFileSync(join(dir, "lib.py"), "utf8")).toBe("RATE = 3\n");
  });

  it("writes the config back to the file run --config read", async () => {
    const dir = makeRepo({ commit: true });
    writeJson(dir, "params.json", { lr: 0.1, layers: 2 });
    git(dir, ["add", "params.json"]);
    git(dir, ["commit", "-q", "-m", "params"]);
    const run = await cli(dir, ["run", "--config", "params.json", "-p", "lr=0.5", "--", "python3", "train.py"]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim().split("\n").pop()!;
    const shown = JSON.parse((await cli(dir, ["show", id, "--json"])).stdout) as { experiment: { source: { config?: string } } };
    expect(shown.experiment.source.config).toBe("params.json");
    const applied = await cli(dir, ["apply", id]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/its config written to params\.json/);
    expect(JSON.parse(readFileSync(join(dir, "params.json"), "utf8"))).toEqual({ lr: 0.5, layers: 2 });
  });

  it("refuses an experiment without a source commit", async () => {
    const dir = makeRepo();
    const files = tempDir();
    const rec = await cli(dir, ["record", "--config", writeJson(files, "c.json", { a: 1 }), "--results", writeJson(files, "r.json", { m: 1 }), "--name", "nowhere"]);
    expect(rec.code, rec.stderr).toBe(0);
    const r = await cli(dir, ["apply", "nowhere"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/has no source commit/);
  });
});

describe("git exp branch", () => {
  it("creates a branch at the source commit with the run's changes committed on it", async () => {
    const { dir, id, original, head } = await movedOn();
    const r = await cli(dir, ["branch", id, "try-dirty"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/created branch try-dirty at the source commit [0-9a-f]{12} .* holding its uncommitted changes/);
    const tip = git(dir, ["rev-parse", "refs/heads/try-dirty"]).trim();
    expect(r.stdout.trim()).toBe(tip);
    expect(git(dir, ["diff", original, tip])).toBe("");
    expect(git(dir, ["log", "-1", "--format=%B", tip])).toContain(`Experiment: ${id}`);
    expect(git(dir, ["rev-parse", "HEAD"]).trim()).toBe(head);
    expect(git(dir, ["status", "--porcelain"])).toBe("");
  });

  it("refuses a taken or invalid branch name, writing nothing", async () => {
    const { dir, id } = await movedOn();
    const before = repoSnapshot(dir);
    const taken = await cli(dir, ["branch", id, "main"]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/branch main already exists/);
    const bad = await cli(dir, ["branch", id, "no..dots"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a valid branch name/);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

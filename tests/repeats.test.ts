import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { groupKeyOf } from "../src/index/repeat-groups.js";
import { cleanup, cli, git, makeRepo, repoSnapshot, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

/** acc depends on lr and a little on the seed, as a real run's would. */
const TRAIN = `import json, os
cfg = json.load(open(os.environ["GIT_EXP_CONFIG"]))
acc = cfg["lr"] * 4 + cfg["seed"] / 100
open(os.environ["GIT_EXP_METRICS"], "a").write(json.dumps({"final": True, "acc": acc}) + "\\n")
`;

describe.runIf(python)("seeds are repeats", () => {
  it("--seed 1,2,3 groups as one config in top --by config (count, mean, std), stats and the index's group key", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), TRAIN);
    git(dir, ["add", "train.py"]);
    git(dir, ["commit", "-q", "-m", "train"]);
    const a = await cli(dir, ["run", "--name", "a", "-p", "lr=0.1", "--seed", "1,2,3", "--json", "--", python!, "train.py"]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(dir, ["run", "--name", "b", "-p", "lr=0.2", "--seed", "1,2", "--json", "--", python!, "train.py"]);
    expect(b.code, b.stderr).toBe(0);
    const top = await cli(dir, ["top", "acc", "--by", "config", "--json"]);
    expect(top.code, top.stderr).toBe(0);
    const groups = JSON.parse(top.stdout).groups as { count: number; mean: number; std: number; params: Record<string, unknown> }[];
    expect(groups.map((g) => g.count)).toEqual([2, 3]);
    expect(groups[1]!.mean).toBeCloseTo(0.42, 12);
    expect(groups[1]!.std).toBeCloseTo(0.01, 12);
    expect(groups[1]!.params).toEqual({ lr: 0.1 }); // the seed varies within the group
    // the index's SQL group key and the catalog's are one definition
    const keyA = groupKeyOf({ lr: 0.1, seed: 1 }, ["seed"]);
    expect(groupKeyOf({ lr: 0.1, seed: 99 }, ["seed"])).toBe(keyA);
    expect(JSON.parse(top.stdout).groups[1].group).toBe(keyA);
    // stats: a sweep point stands for its seeds
    const stats = await cli(dir, ["stats", "a-1", "b-1", "--json"]);
    expect(stats.code, stats.stderr).toBe(0);
    const s = JSON.parse(stats.stdout);
    expect(s.metrics[0]).toMatchObject({ metric: "acc" });
    expect([s.metrics[0].a.n, s.metrics[0].b.n]).toEqual([3, 2]);
  }, 180_000);
});

/** Documents for import: a config, a result, the commit and whether the tree was dirty. */
function doc(name: string, commit: string, config: Record<string, unknown>, acc: number, dirty = false, status = "completed"): string {
  return JSON.stringify({
    experiment: { name, created_at: "2026-03-01T10:00:00.000Z", status, source: { commit, branch: "feature", dirty } },
    config,
    results: { acc },
  });
}

describe("repeat_keys and check", () => {
  it("gitexp.json repeat_keys pools data_seed too", async () => {
    const dir = makeRepo({ commit: true });
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const file = join(tempDir(), "d.ndjson");
    writeFileSync(file, [doc("r1", head, { lr: 1, seed: 1, data_seed: 1 }, 0.5), doc("r2", head, { lr: 1, seed: 1, data_seed: 2 }, 0.7)].join("\n") + "\n");
    expect((await cli(dir, ["import", file])).code).toBe(0);
    const count = async (): Promise<number[]> => JSON.parse((await cli(dir, ["top", "acc", "--by", "config", "--json"])).stdout).groups.map((g: { count: number }) => g.count);
    expect(await count()).toEqual([1, 1]);
    writeJson(dir, "gitexp.json", { repeat_keys: ["seed", "data_seed"] });
    expect(await count()).toEqual([2]);
    writeJson(dir, "gitexp.json", { repeat_keys: "seed" });
    const bad = await cli(dir, ["top", "acc", "--by", "config"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/repeat_keys/);
  });

  it("check leaves dirty and failed runs out of both sides, says how many, and counts them with --include-dirty", async () => {
    const dir = makeRepo({ commit: true });
    const base = git(dir, ["rev-parse", "HEAD"]).trim();
    git(dir, ["checkout", "-q", "-b", "feature"]);
    writeFileSync(join(dir, "model.py"), "v2\n");
    git(dir, ["add", "model.py"]);
    git(dir, ["commit", "-q", "-m", "v2"]);
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const lines = [
      doc("base", base, { lr: 1, seed: 1 }, 0.9),
      doc("base", base, { lr: 1, seed: 2 }, 0.9),
      doc("base-dirty", base, { lr: 1, seed: 3 }, 0.1, true),
      // the head commit regresses; nine dirty runs of the old code would hide it
      doc("head", head, { lr: 1, seed: 1 }, 0.6),
      ...Array.from({ length: 9 }, (_, i) => doc(`dirty-${i}`, head, { lr: 1, seed: 10 + i }, 0.95, true)),
      doc("crashed", head, { lr: 1, seed: 30 }, 0.99, false, "failed"),
    ];
    const file = join(tempDir(), "d.ndjson");
    writeFileSync(file, lines.join("\n") + "\n");
    expect((await cli(dir, ["import", file])).code).toBe(0);
    const rules = writeJson(tempDir(), "rules.json", { checks: [{ metric: "acc", max_drop: 0.05 }] });
    const r = await cli(dir, ["check", "--base", "main", "--rules", rules, "--format", "json"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.results[0]).toMatchObject({ base: 0.9, head: 0.6, pass: false, nBase: 2, nHead: 1 });
    expect(report.notes).toContain(`head: 9 dirty runs, 1 failed run left out (uncommitted code or not completed; "include_dirty": true or --include-dirty counts them)`);
    expect(report.notes.join("\n")).toMatch(/base: 1 dirty run left out/);
    const text = await cli(dir, ["check", "--base", "main", "--rules", rules, "--format", "md"]);
    expect(text.stdout).toMatch(/9 dirty runs, 1 failed run left out/);
    const incl = await cli(dir, ["check", "--base", "main", "--rules", rules, "--include-dirty", "--format", "json"]);
    expect(incl.code, incl.stdout).toBe(0);
    expect(JSON.parse(incl.stdout).notes.join("\n")).toMatch(/head: 9 dirty runs, 1 failed run counted \(include_dirty\)/);
    const viaFile = writeJson(tempDir(), "rules.json", { checks: [{ metric: "acc", max_drop: 0.05 }], include_dirty: true });
    expect((await cli(dir, ["check", "--base", "main", "--rules", viaFile, "--format", "json"])).code).toBe(0);
    const before = repoSnapshot(dir);
    const badRules = writeJson(tempDir(), "rules.json", { checks: [{ metric: "acc", max_drop: 0.05 }], include_dirty: "yes" });
    expect((await cli(dir, ["check", "--base", "main", "--rules", badRules])).code).toBe(2);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Experiment } from "../src/core/experiment.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, git, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

function experiment(i: number): Experiment {
  return {
    meta: {
      schema: 1,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      created_by: { name: "Ada", email: "ada@example.com" },
      status: "completed",
      name: `bulk-${i}`,
    },
    config: { lr: 0.001 * (1 + (i % 5)), seed: i },
    results: { acc: (i % 97) / 97 },
    series: {},
    files: {},
  };
}

async function writeAll(dir: string, exps: Experiment[]): Promise<string[]> {
  const store = new ExperimentStore(await openRepository(dir));
  try {
    return (await store.write(exps)).map((o) => o.status);
  } finally {
    await store.close();
  }
}

describe("writing many experiments at once", () => {
  it("puts their refs in packed-refs, sorted, keeping every other ref and its peeled line", async () => {
    const dir = makeRepo({ commit: true });
    git(dir, ["tag", "-a", "v1", "-m", "release"]);
    git(dir, ["branch", "zz-last"]);
    git(dir, ["pack-refs", "--all"]);
    git(dir, ["branch", "loose-one"]);
    const before = git(dir, ["show-ref", "-d"]);

    const statuses = await writeAll(dir, Array.from({ length: 150 }, (_, i) => experiment(i)));
    expect(statuses.every((s) => s === "created")).toBe(true);

    const packed = readFileSync(join(dir, ".git", "packed-refs"), "latin1");
    const names = packed.split("\n").filter((l) => /^[0-9a-f]+ /.test(l)).map((l) => l.split(" ")[1]!);
    expect(names).toEqual([...names].sort());
    expect(names.filter((n) => n.startsWith("refs/experiments/"))).toHaveLength(150);
    expect(existsSync(join(dir, ".git", "packed-refs.lock"))).toBe(false);
    // What plain git sees: every earlier ref (the tag still peeled), every experiment, a clean fsck.
    const after = git(dir, ["show-ref", "-d"]);
    for (const line of before.trim().split("\n")) expect(after).toContain(line);
    const listed = git(dir, ["for-each-ref", "--format=%(objectname) %(refname)", "refs/experiments/"]).trim().split("\n");
    expect(listed).toHaveLength(150);
    for (const l of listed) expect(l.split(" ")[1]).toBe(`refs/experiments/${l.split(" ")[0]}`);
    git(dir, ["fsck", "--strict", "--no-dangling"]);

    // Written again, with new ones mixed in: the old ones exist, nothing is duplicated.
    const again = await writeAll(dir, Array.from({ length: 200 }, (_, i) => experiment(i)));
    expect(again.filter((s) => s === "exists")).toHaveLength(150);
    expect(again.filter((s) => s === "created")).toHaveLength(50);
    expect(git(dir, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(200);
  });

  it("falls back to git's own ref updates while another process holds packed-refs.lock", async () => {
    const dir = makeRepo({ commit: true });
    const lock = join(dir, ".git", "packed-refs.lock");
    writeFileSync(lock, "");
    try {
      const statuses = await writeAll(dir, Array.from({ length: 120 }, (_, i) => experiment(i)));
      expect(statuses.every((s) => s === "created")).toBe(true);
    } finally {
      rmSync(lock, { force: true });
    }
    expect(git(dir, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(120);
    git(dir, ["fsck", "--strict", "--no-dangling"]);
  });
});

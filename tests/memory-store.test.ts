import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../src/analysis/catalog.js";
import { runCheck } from "../src/analysis/check.js";
import { overview } from "../src/analysis/overview.js";
import type { Experiment } from "../src/core/experiment.js";
import { parseRules } from "../src/core/rules.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, makeRepo } from "./helpers/repo.js";

// Analyses over an in-memory store: no git process, no repository, milliseconds a test.

afterAll(cleanup);

const ADA = { name: "Ada", email: "ada@example.com" };

function run(name: string, acc: number, commit: string | null, seconds = 0): Experiment {
  return {
    meta: {
      schema: 1,
      created_at: new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString(),
      created_by: ADA,
      status: "completed",
      name,
      ...(commit ? { source: { commit, branch: "main", dirty: false } } : {}),
    },
    config: { lr: acc / 10, seed: seconds },
    results: { val: { acc } },
    series: {},
    files: {},
  };
}

describe("MemoryStore", () => {
  it("gives an experiment the id the git store gives it", async () => {
    const store = new ExperimentStore(await openRepository(makeRepo()));
    const exp = run("same", 0.9, null);
    const [written] = await store.write([exp]);
    await store.close();
    expect(await new MemoryStore().add(exp)).toBe(written!.id);
  });

  it("feeds the catalog annotations folded: tags added, deleted runs left out", async () => {
    const store = new MemoryStore();
    const kept = await store.add(run("kept", 0.9, null, 1));
    const gone = await store.add(run("gone", 0.8, null, 2));
    store.annotate(kept, { op: "tag", at: "2026-01-02T00:00:00.000Z", by: ADA, tag: "baseline" });
    store.annotate(kept, { op: "rename", at: "2026-01-02T00:00:01.000Z", by: ADA, name: "best" });
    store.annotate(gone, { op: "delete", at: "2026-01-02T00:00:00.000Z", by: ADA });
    const entries = await loadCatalog(store);
    expect(entries.map((e) => [e.id, e.name, e.tags, e.metrics["val.acc"]])).toEqual([[kept, "best", ["baseline"], 0.9]]);
    expect(entries[0]!.configHash).toMatch(/^[0-9a-f]{40}$/);
  });

  it("checks a head commit against its base along the history it was given", async () => {
    const store = new MemoryStore();
    const base = store.history.commit(null, "base");
    const head = store.history.commit(base, "head");
    store.history.branch("main", base);
    store.history.branch("HEAD", head);
    await store.add(run("b", 0.9, base, 1));
    await store.add(run("h", 0.85, head, 2));
    const candidates = await loadCatalog(store);
    const rules = parseRules({ checks: [{ metric: "val.acc", max_drop: 0.01 }, { metric: "val.acc", min: 0.8 }] });
    const report = await runCheck(store.history, rules, candidates, { baseRef: "main", headRef: "HEAD" });
    expect(report.base).toMatchObject({ commit: base, experimentCommit: base });
    expect(report.head.commit).toBe(head);
    expect(report.results.map((r) => [r.label, r.pass])).toEqual([
      [expect.stringContaining("drop"), false],
      [expect.stringContaining(">= 0.8"), true],
    ]);
    expect(report.pass).toBe(false);
  });

  it("refuses a head ref the history does not hold, as with git", async () => {
    const store = new MemoryStore();
    store.history.branch("main", store.history.commit(null));
    const rules = parseRules({ checks: [{ metric: "val.acc", min: 0.8 }] });
    await expect(runCheck(store.history, rules, [], { baseRef: "main", headRef: "nope" })).rejects.toMatchObject({ code: "ENOTFOUND", exitCode: 3 });
  });

  it("builds the overview's leaderboard and its trend along main", async () => {
    const store = new MemoryStore();
    const c1 = store.history.commit(null, "first");
    const c2 = store.history.commit(c1, "second");
    store.history.branch("main", c2);
    const a = await store.add(run("a", 0.7, c1, 1));
    const b = await store.add(run("b", 0.8, c2, 2));
    const c = await store.add(run("c", 0.75, c2, 3));
    const o = await overview(store, await loadCatalog(store), {});
    expect(o.metric).toBe("val.acc");
    expect(o.leaderboard.map((e) => e.id)).toEqual([b, c, a]);
    expect(o.trend).toEqual({ branch: "main", points: [{ commit: c1, value: 0.7, id: a }, { commit: c2, value: 0.8, id: b }] });
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LIMITS } from "../src/core/limits.js";
import { RUNS_MAX_COLUMNS } from "../src/index/runs.js";
import { forgeExperiment, wideConfig } from "./helpers/forge.js";
import { cleanup, cli, git, makeRepo, repoSnapshot, writeJson } from "./helpers/repo.js";
import { makeClone, makeRemote } from "./helpers/share.js";

afterAll(cleanup);

const docLine = (config: string): string =>
  `{"experiment":{"schema":1,"created_at":"2026-01-01T00:00:00.000Z","created_by":{"name":"x","email":"y"},"status":"completed"},"config":${config.trimEnd()},"results":{"acc":1}}\n`;

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

describe("limits on one experiment's size", () => {
  it("an experiment of 5,000 keys is recorded, indexed and listed", async () => {
    const dir = makeRepo({ commit: true });
    const c = writeJson(dir, "c.json", wideConfig(5000));
    const r = writeJson(dir, "r.json", { acc: 0.5 });
    const rec = await cli(dir, ["record", "--config", c, "--results", r, "--name", "wide"]);
    expect(rec.code, rec.stderr).toBe(0);
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { name: string }[]).map((e) => e.name)).toEqual(["wide"]);
    const q = await cli(dir, ["sql", "SELECT count(*) AS n FROM params", "--json"]);
    expect(JSON.parse(q.stdout)).toEqual([{ n: 5000 }]);
    // runs keeps a column for the keys most experiments carry, metric first, up to its cap; params has every key
    const cols = await cli(dir, ["sql", "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'runs' AND column_name LIKE 'params.%'", "--json"]);
    expect(JSON.parse(cols.stdout)).toEqual([{ n: RUNS_MAX_COLUMNS - 1 }]);
  }, 180_000);

  it("record, record - and import refuse a config past the key limit with exit 2, writing nothing", async () => {
    const dir = makeRepo({ commit: true });
    const big = wideConfig(100_000);
    const c = writeJson(dir, "c.json", big);
    const r = writeJson(dir, "r.json", { acc: 0.5 });
    const before = repoSnapshot(dir);
    const rec = await cli(dir, ["record", "--config", c, "--results", r]);
    expect(rec.code).toBe(2);
    expect(rec.stderr).toContain(`config.json has 100000 keys, more than the ${LIMITS.keysPerFile} allowed`);
    expect(rec.stderr).not.toMatch(/\n\s+at /);
    const doc = await cli(dir, ["record", "-"], { input: docLine(big) });
    expect(doc.code).toBe(2);
    expect(doc.stderr).toContain("100000 keys");
    const file = join(dir, "docs.ndjson");
    writeFileSync(file, docLine(big));
    const imp = await cli(dir, ["import", file]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toContain("100000 keys");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("config or results nested 10,000 levels: exit 2 from record, record - and import, nothing written", async () => {
    const dir = makeRepo({ commit: true });
    const deep = nested(10_000);
    const c = writeJson(dir, "c.json", deep);
    const ok = writeJson(dir, "ok.json", { lr: 1 });
    const r = writeJson(dir, "r.json", deep);
    const before = repoSnapshot(dir);
    for (const args of [
      ["record", "--config", c, "--results", ok],
      ["record", "--config", ok, "--results", r],
    ]) {
      const out = await cli(dir, args);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toContain(`more than the ${LIMITS.depth} allowed`);
    }
    const doc = await cli(dir, ["record", "-"], { input: docLine(deep) });
    expect(doc.code).toBe(2);
    expect(doc.stderr).toContain("levels deep");
    const file = join(dir, "docs.ndjson");
    writeFileSync(file, docLine(deep));
    const imp = await cli(dir, ["import", file]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toContain("levels deep");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("pull leaves forged experiments of 100,000 and 1,000,000 keys in quarantine, with the reason", async () => {
    const remote = makeRemote();
    const mallory = makeClone(remote);
    const wide = forgeExperiment(mallory, { config: wideConfig(100_000) });
    const wider = forgeExperiment(mallory, { config: wideConfig(1_000_000) });
    const deep = forgeExperiment(mallory, { config: nested(10_000) + "\n" });
    const fine = forgeExperiment(mallory, { config: { lr: 0.1 } });
    git(mallory, ["push", "-q", remote, "refs/experiments/*:refs/experiments/*"]);

    const victim = makeClone(remote);
    const r = await cli(victim, ["pull", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as { added: string[]; rejected: { id: string; reason: string }[] };
    expect(s.added).toEqual([fine]);
    const reason = (id: string): string | undefined => s.rejected.find((x) => x.id === id)?.reason;
    expect(reason(wide)).toContain("config.json has 100000 keys");
    expect(reason(wider)).toContain("config.json has 1000000 keys");
    expect(reason(deep)).toContain("10000 levels deep");
    expect(git(victim, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${fine}`);
    const ls = await cli(victim, ["ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as unknown[]).length).toBe(1);
  }, 180_000);

  it("the index leaves out an experiment past the limits that is already in refs/experiments, naming it, and answers", async () => {
    const dir = makeRepo({ commit: true });
    const fine = forgeExperiment(dir, { config: { lr: 0.1 }, experiment: { name: "fine" } });
    const wide = forgeExperiment(dir, { config: wideConfig(100_000) });
    const series = forgeExperiment(dir, {
      config: { lr: 0.2 },
      files: { "series/loss.json": `{"step":[${Array.from({ length: 100_001 }, (_, i) => i).join(",")}],"value":[${"1,".repeat(100_000)}1]}\n` },
    });
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { id: string }[]).map((e) => e.id)).toEqual([fine]);
    expect(ls.stderr).toContain(`warning: experiment ${wide.slice(0, 12)} left out of the index: past the limits: config.json has 100000 keys`);
    expect(ls.stderr).toContain(`warning: experiment ${series.slice(0, 12)} left out of the index: past the limits: series/loss.json has 100001 points`);
    const again = await cli(dir, ["index", "--rebuild"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("2 left out");
  }, 180_000);
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSpecs } from "../src/analysis/diff.js";
import { compareVersions } from "../src/analysis/env-diff.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { binary, cleanup, cli, git, makeRepo, repoSnapshot } from "./helpers/repo.js";

afterAll(cleanup);

type Doc = Record<string, unknown> & { experiment: Record<string, unknown> };

let dir: string;
let first: string;
let second: string;

/** A document with every section filled, so each fixture pair can change exactly one. */
function base(): Doc {
  return {
    experiment: {
      name: "base",
      created_at: "2026-11-01T10:00:00.000Z",
      command: ["python", "train.py"],
      source: { commit: first, branch: "main", dirty: false },
    },
    config: { lr: 0.1, model: { layers: 2 } },
    results: { loss: 0.5, val: { acc: 0.9 } },
    env: { os: { platform: "linux", release: "6.1" }, gpus: [{ model: "A100" }], packages: { numpy: "1.26.0", torch: "2.1.0" } },
    inputs: { "data/train.csv": { sha256: "a".repeat(64), size: 100 } },
  };
}

async function recordDoc(doc: Doc): Promise<string> {
  const r = await cli(dir, ["record", "-"], { input: JSON.stringify(doc) });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

function variant(change: (d: Doc) => void, name: string): Doc {
  const d = base();
  d.experiment["name"] = name;
  change(d);
  return d;
}

async function diffJson(a: string, b: string, extra: string[] = []): Promise<Record<string, unknown> & { sections: Record<string, boolean>; differs: boolean }> {
  const r = await cli(dir, ["diff", a, b, "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  dir = makeRepo({ commit: true });
  first = git(dir, ["rev-parse", "HEAD"]).trim();
  writeFileSync(join(dir, "train.py"), "print('train v2')\n");
  writeFileSync(join(dir, "model.py"), "layers = 3\n");
  git(dir, ["add", "."]);
  git(dir, ["commit", "-q", "-m", "second"]);
  second = git(dir, ["rev-parse", "HEAD"]).trim();
  await recordDoc(base());
});

describe("git exp diff: fixture pairs that differ in exactly one section", () => {
  it("config: keys added, removed and changed by key path", async () => {
    const b = await recordDoc(variant((d) => (d.config = { lr: 0.01, model: { dropout: 0.1 } }), "config-b"));
    const j = await diffJson("base", b);
    expect(j.sections).toEqual({ config: true, inputs: false, code: false, environment: false, results: false });
    expect(j["config"]).toEqual([
      { key: "lr", kind: "changed", a: 0.1, b: 0.01 },
      { key: "model.dropout", kind: "added", b: 0.1 },
      { key: "model.layers", kind: "removed", a: 2 },
    ]);
    const text = await cli(dir, ["diff", "base", b]);
    expect(text.stdout).toMatch(/config:\n {2}~ lr: 0.1 -> 0.01\n {2}\+ model.dropout: 0.1\n {2}- model.layers: 2\n/);
    expect(text.stdout).not.toMatch(/^(inputs|code|environment):/m);
    expect((await cli(dir, ["diff", "base", b, "--exit-code"])).code).toBe(1);
  });

  it("config: a value that changed only in type (text to number) shows both as JSON", async () => {
    const a = await recordDoc(variant((d) => (d.config = { lr: 0.1, model: { layers: 2 }, seed: "5" }), "typed-a"));
    const b = await recordDoc(variant((d) => (d.config = { lr: 0.1, model: { layers: 2 }, seed: 5 }), "typed-b"));
    const text = await cli(dir, ["diff", a, b]);
    expect(text.stdout).toContain('~ seed: "5" -> 5');
  });

  it("inputs: a data file whose checksum and size changed, one added", async () => {
    const b = await recordDoc(
      variant((d) => {
        d.inputs = { "data/train.csv": { sha256: "b".repeat(64), size: 120 }, "data/extra.csv": { sha256: "c".repeat(64), size: 5 } };
      }, "inputs-b"),
    );
    const j = await diffJson("base", b);
    expect(j.sections).toEqual({ config: false, inputs: true, code: false, environment: false, results: false });
    expect(j["inputs"]).toMatchObject([
      { path: "data/extra.csv", kind: "added" },
      { path: "data/train.csv", kind: "changed", a: { size: 100 }, b: { size: 120 } },
    ]);
    expect((await cli(dir, ["diff", "base", b])).stdout).toMatch(/inputs:\n {2}\+ data\/extra.csv.*\n {2}~ data\/train.csv: sha256 aaaaaaaaaaaa… 100 bytes -> sha256 bbbbbbbbbbbb… 120 bytes/);
  });

  it("code: A..B with the number of commits and the files changed, from git", async () => {
    const b = await recordDoc(variant((d) => (d.experiment["source"] = { commit: second, branch: "main", dirty: false }), "code-b"));
    const j = await diffJson("base", b);
    expect(j.sections).toEqual({ config: false, inputs: false, code: true, environment: false, results: false });
    expect(j["code"]).toMatchObject({ a: first, b: second, sameCommit: false, ahead: 1, behind: 0, patch: "none" });
    expect((j["code"] as { files: unknown[] }).files).toEqual([
      { status: "A", path: "model.py" },
      { status: "M", path: "train.py" },
    ]);
    const text = (await cli(dir, ["diff", "base", b])).stdout;
    expect(text).toContain(`code:\n  source: ${first.slice(0, 12)}..${second.slice(0, 12)}: 1 commit, 2 files changed\n    A  model.py\n    M  train.py`);
  });

  it("code: the same commit with different uncommitted patches", async () => {
    const patch = (text: string) => ({ "patch.diff": { text } });
    const a = await recordDoc(variant((d) => (d.files = patch("diff --git a/x b/x\n+1\n")), "patch-a"));
    const b = await recordDoc(variant((d) => (d.files = patch("diff --git a/x b/x\n+2\n")), "patch-b"));
    const j = await diffJson(a, b);
    expect(j.sections).toEqual({ config: false, inputs: false, code: true, environment: false, results: false });
    expect(j["code"]).toMatchObject({ sameCommit: true, patch: "differ" });
    expect((await cli(dir, ["diff", a, b])).stdout).toContain("uncommitted patch: differs");
    expect((await diffJson("base", a))["code"]).toMatchObject({ patch: "only-b" });
  });

  it("environment: OS, GPU, and packages added, removed, upgraded and downgraded", async () => {
    const b = await recordDoc(
      variant((d) => {
        d.env = {
          os: { platform: "linux", release: "6.5" },
          gpus: [{ model: "H100" }],
          packages: { numpy: "2.0.0", torch: "2.0.1", scipy: "1.11.0" },
        };
      }, "env-b"),
    );
    const j = await diffJson("base", b);
    expect(j.sections).toEqual({ config: false, inputs: false, code: false, environment: true, results: false });
    expect(j["environment"]).toEqual({
      changes: [
        { key: "gpus", kind: "changed", a: ["A100"], b: ["H100"] },
        { key: "os.release", kind: "changed", a: "6.1", b: "6.5" },
      ],
      packages: [
        { name: "numpy", kind: "upgraded", a: "1.26.0", b: "2.0.0" },
        { name: "scipy", kind: "added", b: "1.11.0" },
        { name: "torch", kind: "downgraded", a: "2.1.0", b: "2.0.1" },
      ],
      onlyOneSide: [],
    });
    const text = (await cli(dir, ["diff", "base", b])).stdout;
    expect(text).toMatch(/packages:\n {4}↑ numpy 1.26.0 -> 2.0.0 \(upgraded\)\n {4}\+ scipy 1.11.0\n {4}↓ torch 2.1.0 -> 2.0.1 \(downgraded\)/);
  });

  it("environment recorded on one side only: said once, not a difference", async () => {
    const b = await recordDoc(variant((d) => delete d.env, "no-env"));
    const r = await cli(dir, ["diff", "base", b, "--exit-code"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("environment:\n  (only A recorded its environment: nothing to compare)");
    const c = await recordDoc(variant((d) => (d.env = { os: { platform: "linux", release: "6.1" }, gpus: [{ model: "A100" }] }), "no-packages"));
    expect((await cli(dir, ["diff", "base", c])).stdout).toContain("(only A recorded its packages: nothing to compare)");
  });

  it("results: every metric side by side with absolute and relative delta, marked beyond tolerance", async () => {
    const b = await recordDoc(variant((d) => (d.results = { loss: 0.6, val: { acc: 0.9 } }), "results-b"));
    const j = await diffJson("base", b);
    expect(j.sections).toEqual({ config: false, inputs: false, code: false, environment: false, results: true });
    const [loss, acc] = j["results"] as { metric: string; abs: number; rel: number; beyond: boolean }[];
    expect(loss).toMatchObject({ metric: "loss", a: 0.5, b: 0.6, beyond: true });
    expect(loss!.abs).toBeCloseTo(0.1, 12);
    expect(loss!.rel).toBeCloseTo(0.2, 12);
    expect(acc).toMatchObject({ metric: "val.acc", a: 0.9, b: 0.9, abs: 0, rel: 0, beyond: false });
    const text = (await cli(dir, ["diff", "base", b])).stdout;
    expect(text).toMatch(/results \(tolerance 1e-6\):\n\s+metric\s+A\s+B\s+delta\s+relative\n\s+loss\s+0.5\s+0.6\s+\+0.1\s+\+20%\s+beyond tolerance\n\s+val.acc\s+0.9\s+0.9\s+0\s+0%\n/);
    expect(text.trimEnd().endsWith("differs in: results")).toBe(true);
  });

  it("results within --tolerance or --rtol are not a difference", async () => {
    const tiny = await recordDoc(variant((d) => (d.results = { loss: 0.5000000001, val: { acc: 0.9 } }), "tiny"));
    expect((await cli(dir, ["diff", "base", tiny, "--exit-code"])).code).toBe(0);
    const near = await recordDoc(variant((d) => (d.results = { loss: 0.504, val: { acc: 0.9 } }), "near"));
    expect((await cli(dir, ["diff", "base", near, "--exit-code"])).code).toBe(1);
    expect((await cli(dir, ["diff", "base", near, "--exit-code", "--rtol", "0.01"])).code).toBe(0);
    expect((await cli(dir, ["diff", "base", near, "--exit-code", "--tolerance", "0.01"])).code).toBe(0);
  });

  it("only metadata (name, time) differs: no differences, --exit-code 0", async () => {
    const b = await recordDoc(variant((d) => (d.experiment["created_at"] = "2026-11-02T10:00:00.000Z"), "renamed"));
    const r = await cli(dir, ["diff", "base", b, "--exit-code"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no differences \(only metadata differs: created_at, name\)/);
    expect(r.stdout).not.toMatch(/^(config|inputs|code|environment):/m);
  });

  it("an experiment with itself: a clear 'no differences'", async () => {
    const r = await cli(dir, ["diff", "base", "base", "--exit-code"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("A and B are the same experiment: no differences");
    expect((await diffJson("base", "base"))).toMatchObject({ self: true, differs: false });
  });

  it("disjoint metrics: each shown on its side, said plainly, and a difference", async () => {
    const b = await recordDoc(variant((d) => (d.results = { f1: 0.7 }), "disjoint"));
    const r = await cli(dir, ["diff", "base", b, "--exit-code"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("(A and B have no metric in common)");
    expect(r.stdout).toMatch(/f1\s+\(absent\)\s+0.7\s+beyond tolerance/);
  });

  it("sections come in the documented order", async () => {
    const b = await recordDoc(
      variant((d) => {
        d.config = { lr: 1 };
        d.inputs = {};
        d.experiment["source"] = { commit: second, branch: "main", dirty: false };
        d.env = {};
        d.results = { loss: 1 };
      }, "everything"),
    );
    const text = (await cli(dir, ["diff", "base", b])).stdout;
    const order = ["\nconfig:", "\ninputs:", "\ncode:", "\nenvironment:", "\nresults"].map((s) => text.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });
});

describe("git exp diff: bad input", () => {
  it("unknown and ambiguous experiments exit 3, with the error code from the library", async () => {
    await recordDoc(variant(() => undefined, "twin"));
    await recordDoc(variant((d) => (d.experiment["created_at"] = "2026-11-03T10:00:00.000Z"), "twin"));
    const before = repoSnapshot(dir);
    expect((await cli(dir, ["diff", "base", "nope"])).code).toBe(3);
    const amb = await cli(dir, ["diff", "base", "twin"]);
    expect(amb.code).toBe(3);
    expect(amb.stderr).toMatch(/ambiguous/);
    const store = new ExperimentStore(await openRepository(dir));
    await expect(diffSpecs(store, "base", "missing")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(diffSpecs(store, "base", "twin")).rejects.toMatchObject({ code: "EAMBIGUOUS" });
    await store.close();
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("a tolerance that is not a non-negative number exits 2", async () => {
    for (const bad of [["--tolerance", "abc"], ["--tolerance", "-1"], ["--rtol", "x"]]) {
      const r = await cli(dir, ["diff", "base", "base", ...bad]);
      expect(r.code, bad.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
    }
  });
});

describe("through the built binary", () => {
  it("diff --exit-code exits 1 on a difference and 0 on the same experiment (needs npm run build)", async () => {
    const b = await recordDoc(variant((d) => (d.config = { lr: 0.2, model: { layers: 2 } }), "binary-b"));
    const r = binary(dir, ["diff", "base", b, "--exit-code"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("~ lr: 0.1 -> 0.2");
    expect(binary(dir, ["diff", "base", "base", "--exit-code"]).code).toBe(0);
  });
});

describe("version comparison for packages", () => {
  it("orders numeric parts numerically and pre-releases before releases", () => {
    expect(compareVersions("1.10.0", "1.9.2")).toBeGreaterThan(0);
    expect(compareVersions("2.0.0rc1", "2.0.0")).toBeLessThan(0);
    expect(compareVersions("2.1.0+cu118", "2.1.0+cu121")).toBeLessThan(0);
    expect(compareVersions("1.0", "1.0.0")).toBeLessThan(0);
    expect(compareVersions("3.11.4", "3.11.4")).toBe(0);
  });
});

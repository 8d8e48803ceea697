import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tCritical, tTwoSidedP, welchTest } from "../src/analysis/welch.js";
import { cli, cleanup, git, makeRepo, repoSnapshot, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

describe("Welch's t-test", () => {
  // Reference figures from scipy.stats.ttest_ind(b, a, equal_var=False), scipy 1.17.
  it("matches scipy on Wikipedia's Welch example", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTest(a, b)!;
    expect(r.t).toBeCloseTo(2.455356398286006, 10);
    expect(r.df).toBeCloseTo(24.988529290231416, 8);
    expect(r.p).toBeCloseTo(0.021378001462866992, 10);
  });

  it("matches scipy on small samples and a t table", () => {
    const r = welchTest([0.91, 0.92, 0.9], [0.89, 0.88, 0.895, 0.885])!;
    expect(r.t).toBeCloseTo(-3.4016802570830533, 9);
    expect(r.p).toBeCloseTo(0.037815082238369366, 9);
    expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05001177181711132, 10);
    expect(tCritical(0.05, 4.5)).toBeCloseTo(2.6589123472044034, 6);
  });

  it("has no answer without two values a side or without variance", () => {
    expect(welchTest([1], [1, 2])).toBeUndefined();
    expect(welchTest([1, 1], [2, 2])).toBeUndefined();
  });
});

/** main with experiments on two commits, a feature branch with experiments on its head. */
async function prRepo(headAcc: number[], opts: { baseAcc?: number[]; sameConfig?: boolean } = {}): Promise<string> {
  const dir = makeRepo({ commit: true });
  const files = tempDir();
  const rec = async (acc: number, latency: number, seed: number, name: string, lr: number): Promise<void> => {
    const c = writeJson(files, "c.json", { lr, seed });
    const r = writeJson(files, "r.json", { val: { acc }, latency_ms: latency });
    const res = await cli(dir, ["record", "--config", c, "--results", r, "--name", name]);
    expect(res.code, res.stderr).toBe(0);
  };
  await rec(0.9, 10, 1, "resnet-old", 0.1);
  writeFileSync(join(dir, "model.py"), "v2\n");
  git(dir, ["add", "model.py"]);
  git(dir, ["commit", "-q", "-m", "v2"]);
  for (const [i, acc] of (opts.baseAcc ?? [0.95]).entries()) await rec(acc, 12, opts.sameConfig ? 0 : i, "resnet-main", 0.1);
  git(dir, ["checkout", "-q", "-b", "feature"]);
  writeFileSync(join(dir, "model.py"), "v3\n");
  git(dir, ["commit", "-q", "-am", "v3"]);
  for (const [i, acc] of headAcc.entries()) await rec(acc, 12.3, opts.sameConfig ? 0 : i, "resnet-feature", opts.sameConfig ? 0.1 : 0.2);
  return dir;
}

const RULES = {
  checks: [
    { metric: "val.acc", min: 0.9 },
    { metric: "latency_ms", max: 20 },
    { metric: "val.acc", max_drop: 0.005 },
    { metric: "latency_ms", max_rise_pct: 5 },
  ],
  require: "head",
  experiments: "resnet-*",
};

describe("git exp check", () => {
  it("prints a plain table without Markdown or images with --format text (the default on a terminal); files stay Markdown", async () => {
    const dir = await prRepo([0.952]);
    writeJson(dir, "gitexp.json", RULES);
    const r = await cli(dir, ["check", "--base", "main", "--format", "text"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^git exp check passed: 4 rules hold\n/);
    expect(r.stdout).toMatch(/^result\s+rule\s+base\s+head\s+delta\s+limit\s+note$/m);
    expect(r.stdout).toMatch(/^pass\s+val\.acc drops at most 0\.005\s+0\.95\s+0\.952/m);
    expect(r.stdout).toMatch(/^Head: [0-9a-f]{12} \(HEAD\), 1 experiment: [0-9a-f]{10}$/m);
    expect(r.stdout).not.toMatch(/data:image|\*\*|\| ---|`/);
    const file = join(tempDir(), "report.md");
    let stdout = "";
    const { main } = await import("../src/cli/main.js");
    const { Readable } = await import("node:stream");
    const code = await main(["check", "--base", "main", "-o", file], {
      stdout: (t) => void (stdout += t), stderr: () => undefined, stdin: () => Readable.from([""]), cwd: dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" }, stdoutIsTTY: true, stderrIsTTY: false, columns: 120,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^git exp check passed/);
    expect(readFileSync(file, "utf8")).toMatch(/^✅ \*\*git exp check passed\*\*/);
  });

  it("passes when no rule is broken, with a report naming what was compared", async () => {
    const dir = await prRepo([0.952]);
    writeJson(dir, "gitexp.json", RULES);
    const r = await cli(dir, ["check", "--base", "main"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/check passed/);
    expect(r.stdout).toMatch(/\| result \| rule \| base \| head \| delta \| limit \| note \|/);
    expect(r.stdout).toContain("`val.acc drops at most 0.005`");
    expect(r.stdout).toMatch(/\*\*Head\*\*: `[0-9a-f]{12}` \(HEAD\), 1 experiment:/);
    expect(r.stdout).toContain("data:image/svg+xml;base64,");
    expect(Buffer.byteLength(r.stdout)).toBeLessThan(64 * 1024);
  });

  it("fails with exit 1 on a regression beyond the limit", async () => {
    const dir = await prRepo([0.93]);
    writeJson(dir, "gitexp.json", RULES);
    const r = await cli(dir, ["check", "--base", "main", "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { pass: boolean; results: { label: string; pass: boolean; base: number; head: number }[] };
    expect(report.pass).toBe(false);
    const drop = report.results.find((x) => x.label === "val.acc drops at most 0.005")!;
    expect(drop).toMatchObject({ pass: false, base: 0.95, head: 0.93 });
    expect(report.results.find((x) => x.label === "val.acc >= 0.9")!.pass).toBe(true);
  });

  it("with alpha and repeats on both sides, fails only on a significant drop", async () => {
    const noisy = await prRepo([0.944, 0.95, 0.956], { baseAcc: [0.95, 0.96, 0.955], sameConfig: true });
    const rules = { checks: [{ metric: "val.acc", max_drop: 0.001, alpha: 0.05 }], require: "head" };
    writeJson(noisy, "gitexp.json", rules);
    const pass = await cli(noisy, ["check", "--base", "main", "--format", "json"]);
    expect(pass.code, pass.stdout).toBe(0);
    expect(JSON.parse(pass.stdout).results[0].note).toMatch(/not significant/);
    const clear = await prRepo([0.90, 0.901, 0.899], { baseAcc: [0.95, 0.951, 0.949], sameConfig: true });
    writeJson(clear, "gitexp.json", rules);
    const fail = await cli(clear, ["check", "--base", "main", "--format", "json"]);
    expect(fail.code).toBe(1);
    const res = JSON.parse(fail.stdout).results[0];
    expect(res.baseKind).toBe("same-config mean");
    expect(res.pValue).toBeLessThan(0.05);
  });

  it("takes rules from flags without a file", async () => {
    const dir = await prRepo([0.93]);
    const r = await cli(dir, ["check", "--base", "main", "--max-drop", "val.acc=0.05", "--min", "val.acc=0.92"]);
    expect(r.code, r.stderr).toBe(0);
    const bad = await cli(dir, ["check", "--base", "main", "--max-drop", "val.acc"]);
    expect(bad.code).toBe(2);
    const negative = await cli(dir, ["check", "--base", "main", "--max-drop", "val.acc=-1"]);
    expect([negative.code, negative.stderr]).toEqual([2, expect.stringMatching(/max_drop must be >= 0/)]);
  });

  it("an experiments pattern that names none is said as such (exit 3), not as a missing metric", async () => {
    const dir = await prRepo([0.93]);
    const r = await cli(dir, ["check", "--base", "main", "--experiments", "zzz*", "--max-drop", "val.acc=0.01"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no experiment is named like 'zzz\*'/);
  });

  it("-o into a folder that does not exist is refused before checking (exit 2)", async () => {
    const dir = await prRepo([0.93]);
    const r = await cli(dir, ["check", "--base", "main", "--max-drop", "val.acc=0.05", "-o", join(dir, "nodir", "c.md")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*nodir.*: its folder does not exist/);
    expect(r.stdout).toBe("");
  });

  it("in GitHub Actions appends the summary and prints ::error annotations", async () => {
    const dir = await prRepo([0.93]);
    writeJson(dir, "gitexp.json", RULES);
    const summary = join(tempDir(), "summary.md");
    writeFileSync(summary, "# earlier step\n");
    git(dir, ["branch", "-f", "main-copy", "main"]);
    const r = await cli(dir, ["check"], {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary, GITHUB_BASE_REF: "main-copy" },
    });
    expect(r.code).toBe(1);
    const text = readFileSync(summary, "utf8");
    expect(text.startsWith("# earlier step\n")).toBe(true);
    expect(text).toMatch(/check failed/);
    expect(r.stderr).toMatch(/^::error title=git exp check/m);
  });

  it("exit 3 when the head has no experiments and the rules require them", async () => {
    const dir = await prRepo([0.95]);
    writeJson(dir, "gitexp.json", RULES);
    writeFileSync(join(dir, "model.py"), "v4\n");
    git(dir, ["commit", "-q", "-am", "v4 without experiments"]);
    const r = await cli(dir, ["check", "--base", "main"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/nothing to compare/);
    const range = await cli(dir, ["check", "--base", "main", "--require", "range"]);
    expect(range.code).toBe(0);
  });

  it("passes with a note when the base has none, and fails with --require-base", async () => {
    const dir = makeRepo({ commit: true });
    git(dir, ["checkout", "-q", "-b", "feature"]);
    writeFileSync(join(dir, "x"), "1");
    git(dir, ["add", "x"]);
    git(dir, ["commit", "-q", "-m", "x"]);
    const f = tempDir();
    await cli(dir, ["record", "--config", writeJson(f, "c.json", { a: 1 }), "--results", writeJson(f, "r.json", { acc: 0.9 })]);
    const r = await cli(dir, ["check", "--base", "main", "--max-drop", "acc=0.01"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no base experiments/);
    expect(r.stdout).toMatch(/\| ⏭️ skipped \| `acc drops at most 0.01`/);
    expect((await cli(dir, ["check", "--base", "main", "--max-drop", "acc=0.01", "--require-base"])).code).toBe(3);
  });

  it("refuses rules naming an unknown metric, with the nearest names", async () => {
    const dir = await prRepo([0.95]);
    const r = await cli(dir, ["check", "--base", "main", "--min", "val.accuracy=0.9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/val\.acc/);
  });

  it("refuses an invalid rules file, naming the rule and property", async () => {
    const dir = await prRepo([0.95]);
    writeJson(dir, "gitexp.json", { checks: [{ metric: "val.acc", min: 0.9 }, { metric: "val.acc", max_dorp: 0.1 }] });
    const r = await cli(dir, ["check", "--base", "main"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule 2 \(metric val\.acc\)/);
    expect(r.stderr).toMatch(/max_dorp/);
    writeJson(dir, "gitexp.json", "{not json");
    expect((await cli(dir, ["check", "--base", "main"])).code).toBe(2);
    writeJson(dir, "gitexp.json", RULES);
    expect((await cli(dir, ["check", "--base", "no-such-branch"])).code).toBe(3);
  });

  it("tells a shallow clone to fetch the full history", async () => {
    const dir = await prRepo([0.95]);
    const clones = tempDir();
    git(clones, ["clone", "-q", "--depth", "1", "--branch", "feature", `file://${dir}`, "shallow"]);
    const shallow = join(clones, "shallow");
    const r = await cli(shallow, ["check", "--base", "origin/main~1", "--min", "val.acc=0.5"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/fetch-depth: 0|unshallow/);
  });

  it("record enforces config_schema from gitexp.json, writing nothing for a bad config", async () => {
    const dir = makeRepo({ commit: true });
    writeJson(dir, "gitexp.json", { config_schema: { type: "object", required: ["lr", "seed"] } });
    const f = tempDir();
    const before = repoSnapshot(dir);
    const bad = await cli(dir, ["record", "--config", writeJson(f, "c.json", { lr: 0.1 }), "--results", writeJson(f, "r.json", { a: 1 })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/config_schema.*seed/);
    expect(repoSnapshot(dir)).toBe(before);
    const good = await cli(dir, ["record", "--config", writeJson(f, "c.json", { lr: 0.1, seed: 1 }), "--results", writeJson(f, "r.json", { a: 1 })]);
    expect(good.code).toBe(0);
    expect(existsSync(join(dir, "gitexp.json"))).toBe(true);
  });
});

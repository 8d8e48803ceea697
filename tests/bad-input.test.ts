import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT, TEST_ENV, binary, cleanup, cli, git, makeRepo, repoSnapshot, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

/** Run `record` with the given files and check it is refused with `code` and wrote nothing. */
async function refused(
  dir: string,
  files: { config?: string; results?: string; series?: string },
  extra: string[],
  code: number,
): Promise<string> {
  const before = repoSnapshot(dir);
  const args = ["record"];
  if (files.config !== undefined) args.push("--config", writeJson(dir, "c.json", files.config));
  if (files.results !== undefined) args.push("--results", writeJson(dir, "r.json", files.results));
  if (files.series !== undefined) args.push("--series", writeJson(dir, "s.jsonl", files.series));
  const r = await cli(dir, [...args, ...extra]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^git exp: /);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
  expect(repoSnapshot(dir)).toBe(before);
  return r.stderr;
}

describe("bad input is refused with a clear error and nothing is written", () => {
  it("outside a git repository: exit 4", async () => {
    const dir = tempDir();
    writeJson(dir, "c.json", "{}");
    const r = await cli(dir, ["record", "--config", "c.json", "--results", "c.json"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not inside a git repository/);
    expect(readdirSync(dir)).toEqual(["c.json"]);
  });

  it("a missing file: exit 3", async () => {
    const dir = makeRepo();
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["record", "--config", "nope.json", "--results", "nope.json"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nope\.json does not exist/);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("invalid JSON, with line and column: exit 2", async () => {
    const dir = makeRepo();
    const err = await refused(dir, { config: '{"lr": 0.1,\n "x": }', results: "{}" }, [], 2);
    expect(err).toMatch(/line 2, column 7/);
  });

  it("a config that is not an object: exit 2", async () => {
    const dir = makeRepo();
    expect(await refused(dir, { config: "[1, 2]", results: "{}" }, [], 2)).toMatch(/must be a JSON object/);
  });

  it("a results file that breaks its schema names the file and the JSON path: exit 2", async () => {
    const dir = makeRepo();
    const err = await refused(dir, { config: "{}", results: '{"val": {"acc": "high"}}' }, [], 2);
    expect(err).toMatch(/results\.json/);
    expect(err).toMatch(/\$\.val\.acc/);
  });

  it("NaN in a config (allowed only in results and series): exit 2", async () => {
    const dir = makeRepo();
    expect(await refused(dir, { config: '{"lr": NaN}', results: "{}" }, [], 2)).toMatch(/NaN/);
  });

  it("a name or tag with control characters: exit 2", async () => {
    const dir = makeRepo();
    expect(await refused(dir, { config: "{}", results: "{}" }, ["--name", "bad\nname"], 2)).toMatch(/control characters/);
    expect(await refused(dir, { config: "{}", results: "{}" }, ["--tag", "a\u0007b"], 2)).toMatch(/control characters/);
    expect(await refused(dir, { config: "{}", results: "{}" }, ["--name", "cafe01"], 2)).toMatch(/reads as an experiment id prefix/);
    expect(await refused(dir, { config: '{"a":{"b":1},"a.b":2}', results: "{}" }, [], 2)).toMatch(/config: the key path a.b is given twice/);
    expect(await refused(dir, { config: "{}", results: '{"val":{"acc":1},"val.acc":2}' }, [], 2)).toMatch(/results: the key path val.acc is given twice/);
  });

  it("a series line that is not a metrics object: exit 2 naming the line", async () => {
    const dir = makeRepo();
    expect(await refused(dir, { config: "{}", results: "{}", series: '{"step": 1, "loss": 0.5}\nnot json\n' }, [], 2)).toMatch(
      /line 2/,
    );
  });

  it("missing --config or --results, an unknown option, a stray argument: exit 2", async () => {
    const dir = makeRepo();
    const before = repoSnapshot(dir);
    for (const args of [["record"], ["record", "--config", "c.json"], ["record", "--bogus"], ["record", "stray"], ["frobnicate"]]) {
      const r = await cli(dir, args);
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("an unwritable .git: exit 4, no ref and no object", async () => {
    const dir = makeRepo({ commit: true });
    const objects = join(dir, ".git", "objects");
    const before = repoSnapshot(dir);
    const isRoot = process.getuid?.() === 0;
    const blocked: string[] = [];
    if (isRoot) {
      // root ignores permissions: make every missing loose-object folder a file instead
      for (let i = 0; i < 256; i++) {
        const d = join(objects, i.toString(16).padStart(2, "0"));
        if (!existsSync(d)) {
          writeFileSync(d, "");
          blocked.push(d);
        }
      }
    } else chmodSync(objects, 0o555);
    const r = await cli(dir, ["record", "--config", writeJson(tempDir(), "c.json", { a: 1 }), "--results", writeJson(tempDir(), "r.json", { b: 1 })]);
    for (const d of blocked) rmSync(d);
    if (!isRoot) chmodSync(objects, 0o755);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/cannot write|could not write/);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

describe("concurrency", () => {
  it("8 processes recording at once all succeed and every experiment is readable", async () => {
    const dir = makeRepo({ commit: true });
    const files = tempDir();
    const runs = Array.from({ length: 8 }, (_, i) => {
      const c = writeJson(files, `c${i}.json`, { seed: i, lr: 0.1 });
      const r = writeJson(files, `r${i}.json`, { acc: i / 10 });
      return new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(BIN, ["record", "--config", c, "--results", r, "--name", `run-${i}`], {
          cwd: dir,
          env: { ...process.env, ...TEST_ENV },
        });
        let out = "";
        child.stdout.on("data", (b: Buffer) => (out += b.toString()));
        child.on("close", (code) => resolve({ code, out }));
      });
    });
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    const ids = results.map((r) => r.out.trim());
    expect(new Set(ids).size).toBe(8);
    const ls = binary(dir, ["ls", "--json"]);
    expect(JSON.parse(ls.stdout)).toHaveLength(8);
    for (const id of ids) expect(binary(dir, ["show", id]).code).toBe(0);
    git(dir, ["fsck", "--strict", "--no-dangling"]);
  });

  it("the same experiment recorded by 4 processes at once is one experiment", async () => {
    const dir = makeRepo({ commit: true });
    const files = tempDir();
    const c = writeJson(files, "c.json", { seed: 1 });
    const r = writeJson(files, "r.json", { acc: 1 });
    const env = { ...process.env, ...TEST_ENV, GIT_AUTHOR_DATE: "2026-11-23T10:00:00Z" };
    const outs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(BIN, ["record", "--config", c, "--results", r], { cwd: dir, env });
            let out = "";
            child.stdout.on("data", (b: Buffer) => (out += b.toString()));
            child.on("close", (code) => resolve({ code, out }));
          }),
      ),
    );
    expect(outs.map((o) => o.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(outs.map((o) => o.out.trim())).size).toBe(1);
    expect(git(dir, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(1);
  });
});

describe("the binary", () => {
  it("--help lists every command with one line each; --version prints the version", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "x"));
    const help = binary(dir, ["--help"]);
    expect(help.code).toBe(0);
    for (const c of ["record", "show", "ls", "rm", "export", "import"]) expect(help.stdout).toMatch(new RegExp(`git exp ${c}`));
    const v = binary(dir, ["--version"]);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("the build writes the man page git shows for `git exp --help`, with every command", () => {
    const page = readFileSync(join(ROOT, "man", "man1", "git-exp.1"), "utf8");
    expect(page.startsWith(".TH GIT-EXP 1")).toBe(true);
    for (const c of ["record", "run", "ls", "top", "trend", "sql", "push", "pull", "check", "diff", "plot"]) expect(page).toContain(`.SH "git exp ${c}"`);
  });

  it("git runs it as `git exp` when bin/ is on PATH", () => {
    const dir = makeRepo();
    const r = spawnGit(dir, ["exp", "ls", "--json"]);
    expect(r).toBe("[]\n");
  });
});

function spawnGit(cwd: string, args: string[]): string {
  return git(cwd, args, { PATH: `${join(BIN, "..")}:${process.env["PATH"] ?? ""}` });
}

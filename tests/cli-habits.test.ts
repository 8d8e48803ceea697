import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandNames } from "../src/cli/help-text.js";
import { binary, cleanup, cli, git, makeRepo, repoSnapshot, writeJson } from "./helpers/repo.js";

/**
 * Habits people bring from git, W&B, MLflow and DVC: each through the real CLI (in process,
 * or the built binary where start-up matters), with what is refused writing nothing.
 */
afterAll(cleanup);

async function recorded(dir: string, config: object, results: object, name: string): Promise<void> {
  const r = await cli(dir, ["record", "--config", writeJson(dir, `${name}.c.json`, config), "--results", writeJson(dir, `${name}.r.json`, results), "--name", name]);
  expect(r.code, r.stderr).toBe(0);
}

describe("commands", () => {
  it("a mistyped command gets the nearest names, as git does, and exits 2", () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const r = binary(dir, ["lss"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("git exp: 'lss' is not a git exp command. Did you mean `ls`? (git exp -h lists them)\n");
    expect(binary(dir, ["dif", "a", "b"]).stderr).toMatch(/Did you mean `diff`\?/);
    expect(binary(dir, ["frobnicate"]).stderr).toBe("git exp: 'frobnicate' is not a git exp command. (git exp -h lists them)\n");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("list is ls", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { lr: 0.1 }, { acc: 0.9 }, "one");
    const list = await cli(dir, ["list", "--format", "csv"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe((await cli(dir, ["ls", "--format", "csv"])).stdout);
    expect((await cli(dir, ["ls", "-h"])).stdout).toMatch(/\[aliases: list\]|git exp ls/);
  });

  it("every command's -h starts with its own options (no --version) and shows an example", async () => {
    const dir = makeRepo();
    const help = await cli(dir, ["--help"]);
    const names = commandNames(help.stdout);
    expect(names.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const name of names) {
      const h = await cli(dir, [name, "-h"]);
      expect(h.code, name).toBe(0);
      expect(h.stdout, `${name} -h`).not.toMatch(/--version/);
      if (!/\nExamples:\n {2}.*git exp /.test(h.stdout)) missing.push(name);
    }
    expect(missing, "commands whose -h has no example: add .example() to their builder").toEqual([]);
    expect((await cli(dir, ["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("ls", () => {
  it("--sort and --columns take a bare metric or param name, as top does", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { lr: 0.1 }, { val: { acc: 0.7 } }, "low");
    await recorded(dir, { lr: 0.01 }, { val: { acc: 0.9 } }, "high");
    const r = await cli(dir, ["ls", "--sort", "-val.acc", "--columns", "name,lr,val.acc", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("name,params.lr,metrics.val.acc\nhigh,0.01,0.9\nlow,0.1,0.7\n");
    expect(r.stderr).toBe("");
    const up = await cli(dir, ["ls", "--sort", "lr", "--columns", "name", "--format", "csv"]);
    expect(up.stdout).toBe("name\nhigh\nlow\n");
  });

  it("a name that is both a param and a metric is the param, and it says so", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { acc: 2 }, { acc: 0.1 }, "a");
    await recorded(dir, { acc: 1 }, { acc: 0.9 }, "b");
    const r = await cli(dir, ["ls", "--sort", "acc", "--columns", "name,acc", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("name,params.acc\nb,1\na,2\n");
    expect(r.stderr).toBe(
      "note: --sort acc: both a param and a metric; using params.acc (say metrics.acc for the metric)\n" +
        "note: --columns acc: both a param and a metric; using params.acc (say metrics.acc for the metric)\n",
    );
    const metric = await cli(dir, ["ls", "--sort", "metrics.acc", "--columns", "name", "--format", "csv"]);
    expect([metric.stdout, metric.stderr]).toEqual(["name\na\nb\n", ""]);
  });

  it("a bare name no experiment has is refused with the nearest keys (exit 3)", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { lr: 0.1 }, { val: { acc: 0.7 } }, "one");
    const r = await cli(dir, ["ls", "--sort", "val.acc2"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("git exp: --sort val.acc2: no experiment has a param or metric of that name; did you mean metrics.val.acc?\n");
    expect((await cli(dir, ["ls", "--columns", "name,lrr"])).code).toBe(3);
  });

  it("on a terminal shows the newest 50 and says how many more; --limit 0 and pipes get all", async () => {
    const dir = makeRepo({ commit: true });
    const lines = Array.from({ length: 53 }, (_, i) =>
      JSON.stringify({ experiment: { name: `e${i}`, created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }, config: { i }, results: { acc: i / 100 } }),
    );
    writeFileSync(join(dir, "all.ndjson"), lines.join("\n") + "\n");
    expect((await cli(dir, ["import", "all.ndjson"])).code).toBe(0);
    const rows = (out: string): string[] => out.trim().split("\n").slice(1);
    const tty = await cli(dir, ["ls"], { tty: true });
    expect(tty.code, tty.stderr).toBe(0);
    expect(rows(tty.stdout)).toHaveLength(50);
    expect(rows(tty.stdout)[0]).toMatch(/ e52 /);
    // (on a terminal the index's first build draws a progress line first)
    expect(tty.stderr).toMatch(/(^|\x1b\[K)showing the newest 50 of 53 experiments, 3 more: --limit 0 shows all \(a pipe gets all\)\n$/);
    const all = await cli(dir, ["ls", "--limit", "0"], { tty: true });
    expect([rows(all.stdout).length, all.stderr]).toEqual([53, ""]);
    expect(rows(tty.stdout)).toEqual(rows(all.stdout).slice(0, 50));
    const piped = await cli(dir, ["ls"]);
    expect([rows(piped.stdout).length, piped.stderr]).toEqual([53, ""]);
    const sorted = await cli(dir, ["ls", "--sort", "acc"], { tty: true });
    expect(sorted.stderr).toMatch(/^showing the first 50 by --sort of 53 experiments, 3 more/);
    expect((await cli(dir, ["ls", "--limit", "-1"])).code).toBe(2);
  });

  it("in an empty repository suggests git exp run -- python train.py first", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["ls"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("no experiments yet: run one with 'git exp run -- python train.py', or record results with 'git exp record --config c.json --results r.json'\n");
  });
});

describe("record", () => {
  it("--results alone records an empty config", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["record", "--results", writeJson(dir, "r.json", { acc: 0.5 })]);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(git(dir, ["cat-file", "-p", `${id}:config.json`])).toBe("{}\n");
    expect(git(dir, ["cat-file", "-p", `${id}:results.json`])).toBe('{"acc":0.5}\n');
  });

  it("without --results, or with a document of the wrong shape, says what it needs and writes nothing", async () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const noResults = await cli(dir, ["record", "--config", writeJson(dir, "c.json", { lr: 1 })]);
    expect(noResults.code).toBe(2);
    expect(noResults.stderr).toMatch(/record needs --results FILE, the final metrics as JSON/);
    for (const input of ['{"config": {"lr": 0.1}, "results": {"acc": 0.9}}', "", "lr=0.1", '{"experiment": {}, "config": {}, "results": {"acc": "high"}}']) {
      const r = await cli(dir, ["record", "-"], { input });
      expect(r.code, input).toBe(2);
      expect(r.stderr, input).toMatch(/^git exp: (stdin|results\.json): .+\nrecord - reads one experiment document/);
      expect(r.stderr).toContain('For example:\n  {"experiment": {"name": "try-1"}, "config": {"lr": 0.1}, "results": {"acc": 0.93}}\n');
    }
    expect(repoSnapshot(dir)).toBe(before);
    // The example the message gives is itself a document record - takes.
    const ok = await cli(dir, ["record", "-"], { input: '{"experiment": {"name": "try-1"}, "config": {"lr": 0.1}, "results": {"acc": 0.93}}' });
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe("import", () => {
  it("a CSV or Parquet file is refused once, saying import reads NDJSON or an MLflow store, and nothing is written", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { lr: 0.1 }, { acc: 0.9 }, "one");
    expect((await cli(dir, ["export", "--format", "csv", "-o", "runs.csv"])).code).toBe(0);
    expect((await cli(dir, ["export", "--format", "parquet", "-o", "runs.parquet"])).code).toBe(0);
    writeFileSync(join(dir, "renamed.txt"), readFileSync(join(dir, "runs.csv")));
    const before = repoSnapshot(dir);
    for (const [args, input, format] of [[["import", "runs.csv"], "", "CSV"], [["import", "runs.parquet"], "", "Parquet"], [["import", "renamed.txt"], "", "CSV"], [["import", "-"], readFileSync(join(dir, "runs.csv"), "utf8"), "CSV"]] as const) {
      const r = await cli(dir, [...args], { input });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`is ${format}: git exp import reads NDJSON .* or an MLflow file store \\(--from mlflow\\)`));
    }
    expect(repoSnapshot(dir)).toBe(before);
  });
});

describe("report", () => {
  it("ranks by a validation metric when there is one, and says which and how to change it", async () => {
    const dir = makeRepo({ commit: true });
    // Training accuracy rewards the overfit run; validation accuracy does not.
    await recorded(dir, { lr: 1 }, { accuracy: 0.99, val: { accuracy: 0.6 } }, "overfit");
    await recorded(dir, { lr: 0.1 }, { accuracy: 0.9, val: { accuracy: 0.85 } }, "good");
    const r = await cli(dir, ["report", "-o", "r.md"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("wrote r.md: 2 runs ranked by val.accuracy, a validation metric (higher is better, guessed from its name: --max or --min to say); --metric NAME ranks by another\n");
    const md = readFileSync(join(dir, "r.md"), "utf8");
    expect(md.indexOf("good")).toBeLessThan(md.indexOf("overfit"));
    const asked = await cli(dir, ["report", "-o", "r.md", "--metric", "accuracy", "--max"]);
    expect(asked.stderr).toBe("wrote r.md: 2 runs ranked by accuracy (higher is better)\n");
  });

  it("without a validation metric takes the one most experiments have, and says so", async () => {
    const dir = makeRepo({ commit: true });
    await recorded(dir, { lr: 1 }, { loss: 0.2, testing_time: 3 }, "a");
    const r = await cli(dir, ["report", "-o", "r.md"]);
    expect(r.stderr).toMatch(/ranked by loss, the metric most experiments have \(lower is better, guessed from its name: --max or --min to say\); --metric NAME ranks by another/);
  });
});

describe("init", () => {
  it("offers to hide experiment refs from git log; --hide sets log.excludeDecoration once; --hide --undo removes it", async () => {
    const dir = makeRepo({ commit: true });
    const origin = makeRepo();
    git(dir, ["remote", "add", "origin", origin]);
    const plain = await cli(dir, ["init"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/^tip: git log --all and GUI clients show every experiment as a commit; 'git exp init --hide'/);
    const hide = await cli(dir, ["init", "--hide"]);
    expect(hide.code, hide.stderr).toBe(0);
    expect(hide.stdout).toBe(
      "added log.excludeDecoration refs/experiments/*\nadded log.excludeDecoration refs/exp-incoming/*\nadded log.excludeDecoration refs/notes/experiments*\n",
    );
    expect(hide.stderr).toBe("");
    expect(git(dir, ["config", "--get-all", "log.excludeDecoration"])).toBe("refs/experiments/*\nrefs/exp-incoming/*\nrefs/notes/experiments*\n");
    expect((await cli(dir, ["init", "--hide"])).stdout).toBe("origin already carries experiments\n");
    expect((await cli(dir, ["init"])).stderr).toBe("");
    // git itself leaves the experiments out of its decorations now.
    await recorded(dir, { lr: 1 }, { acc: 1 }, "one");
    expect(git(dir, ["log", "--all", "--decorate", "--oneline"])).not.toMatch(/refs\/experiments|experiments\//);
    const undo = await cli(dir, ["init", "--hide", "--undo"]);
    expect(undo.stdout).toMatch(/removed log.excludeDecoration refs\/experiments\/\*/);
    expect(() => git(dir, ["config", "--get-all", "log.excludeDecoration"])).toThrow();
  });

  it("--hide works in a repository without a remote", async () => {
    const dir = makeRepo({ commit: true });
    const r = await cli(dir, ["init", "--hide"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^added log.excludeDecoration refs\/experiments\/\*\n/);
    expect(r.stderr).toMatch(/no remote yet/);
    expect((await cli(dir, ["init"])).code).toBe(3);
  });
});

describe("stats and show", () => {
  it("stats prints a difference of the means below 1e-12 as 0, not floating-point noise", async () => {
    const dir = makeRepo({ commit: true });
    // The same values in another order: the sums differ in the last bit.
    for (const [i, v] of [0.1, 0.2, 0.3].entries()) await recorded(dir, { i }, { acc: v }, "a");
    for (const [i, v] of [0.3, 0.2, 0.1].entries()) await recorded(dir, { i: i + 10 }, { acc: v }, "b");
    expect(0.1 + 0.2 + 0.3).not.toBe(0.3 + 0.2 + 0.1);
    const r = await cli(dir, ["stats", "a", "b"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n {2}B - A {2}0 {2}95% CI \[-[\d.e-]+, [\d.e-]+\] {2}t 0 {2}df [\d.]+ {2}p 1\n/);
    const j = JSON.parse((await cli(dir, ["stats", "a", "b", "--json"])).stdout) as { metrics: { diff: number; test: { diff: number; t: number } }[] };
    expect([j.metrics[0]!.diff, j.metrics[0]!.test.diff, j.metrics[0]!.test.t]).toEqual([0, 0, 0]);
  });

  it("show cuts a long environment value with an ellipsis, never mid-value without one", async () => {
    const dir = makeRepo({ commit: true });
    const packages = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`package-${i}`, `1.${i}.0`]));
    const doc = { experiment: { name: "env" }, config: {}, results: { acc: 1 }, env: { os: { platform: "linux" }, packages: { python: packages } } };
    const rec = await cli(dir, ["record", "-"], { input: JSON.stringify(doc) });
    expect(rec.code, rec.stderr).toBe(0);
    const r = await cli(dir, ["show", "env"]);
    const env = r.stdout.slice(r.stdout.indexOf("Environment:"));
    expect(env).toMatch(/\n {2}os {8}\{"platform":"linux"\}\n/);
    const line = env.split("\n").find((l) => l.trimStart().startsWith("packages"))!;
    expect(line.endsWith("…")).toBe(true);
    expect(line.length).toBeLessThan(140);
    expect(env).toContain("(values cut with …: git exp show --json has them whole)");
  });
});

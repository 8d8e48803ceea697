import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEST_ENV, binary, cleanup, git, makeRepo } from "./helpers/repo.js";

/**
 * Experiments written by another tool with nothing but git plumbing, following the storage
 * format to the letter, then read through the built CLI. Expected answers come from the
 * documents written here, never from the index.
 */
let dir: string;
const ids = new Map<string, string>();
const by = { name: "Other Tool", email: "other@example.org" };

function gitIn(args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd: dir, input, env: { ...process.env, ...TEST_ENV, ...env }, encoding: "utf8" }).trim();
}

/** Canonical JSON for these documents: sorted keys, no spaces, one newline (no floats that differ from JS). */
function canonical(v: unknown): string {
  const walk = (x: unknown): unknown =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, walk((x as Record<string, unknown>)[k])]))
      : x;
  return JSON.stringify(walk(v)) + "\n";
}

interface Written {
  experiment: Record<string, unknown>;
  /** Canonical text, so a seed past 2^64 can be written exactly. */
  config: string;
  results: unknown;
  series?: Record<string, unknown>;
  /** Files under artifacts/, raw bytes. */
  artifacts?: Record<string, Buffer>;
  /** Other files beside the series, raw bytes (another tool's notes). */
  seriesOther?: Record<string, Buffer>;
}

/** hash-object, mktree, commit-tree with the prescribed author, date and message, update-ref. */
function writeWithPlumbing(w: Written): string {
  const blob = (data: string | Buffer): string => gitIn(["hash-object", "-w", "--stdin"], data);
  const configBlob = blob(w.config);
  const entries = [`100644 blob ${blob(canonical(w.experiment))}\texperiment.json`, `100644 blob ${configBlob}\tconfig.json`, `100644 blob ${blob(canonical(w.results))}\tresults.json`];
  if (w.series) {
    const sub = Object.entries(w.series).map(([k, s]) => `100644 blob ${blob(canonical(s))}\t${k}.json`);
    for (const [k, data] of Object.entries(w.seriesOther ?? {})) sub.push(`100644 blob ${blob(data)}\t${k}`);
    entries.push(`040000 tree ${gitIn(["mktree"], sub.join("\n") + "\n")}\tseries`);
  }
  if (w.artifacts) {
    const sub = Object.entries(w.artifacts).map(([k, data]) => `100644 blob ${blob(data)}\t${k}`);
    entries.push(`040000 tree ${gitIn(["mktree"], sub.join("\n") + "\n")}\tartifacts`);
  }
  const tree = gitIn(["mktree"], entries.join("\n") + "\n");
  const seconds = Math.floor(Date.parse(String(w.experiment["created_at"])) / 1000);
  const date = `@${seconds} +0000`;
  const name = (w.experiment["name"] as string | undefined) ?? configBlob.slice(0, 12);
  const commit = gitIn(["commit-tree", tree, "-m", `exp: ${name}\n\nConfig: ${configBlob}`], undefined, {
    GIT_AUTHOR_NAME: by.name,
    GIT_AUTHOR_EMAIL: by.email,
    GIT_COMMITTER_NAME: by.name,
    GIT_COMMITTER_EMAIL: by.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  gitIn(["update-ref", `refs/experiments/${commit}`, commit]);
  return commit;
}

function meta(day: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: 1, created_at: `2026-03-0${day}T08:00:00.000Z`, created_by: by, status: "completed", ...fields };
}

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  return binary(dir, args);
}

function listed(where: string): string[] {
  const r = run(["ls", "--where", where, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { name: string | null }[]).map((e) => e.name ?? "(unnamed)").sort();
}

beforeAll(() => {
  dir = makeRepo();
  const write = (key: string, w: Written): void => void ids.set(key, writeWithPlumbing(w));
  write("required", { experiment: meta(1), config: '{"lr":0.05}\n', results: { val: { acc: 0.77 } } });
  write("nested", { experiment: meta(2, { name: "nested" }), config: '{"lr":0.02}\n', results: { train: { loss: 0.2 }, val: { acc: 0.81, f1: { macro: 0.6 } } } });
  write("diverged", { experiment: meta(3, { name: "diverged" }), config: '{"lr":5}\n', results: { grad: "Infinity", loss: "NaN", low: "-Infinity", val: { acc: 0.1 } } });
  write("timed", {
    experiment: meta(4, { name: "timed" }),
    config: '{"lr":0.03}\n',
    results: { loss: 0.3 },
    series: { loss: { step: [0, 1, 2, 3], time: [1772611200, 1772611260, 1772611320, 1772611380], value: [1, 0.6, "NaN", 0.3] } },
  });
  write("unicode", { experiment: meta(5, { name: "unicode" }), config: '{"lr":0.04,"模型":{"深度":3}}\n', results: { "f1 (macro)": 0.5, précision: 0.9, val: { acc: 0.66 } } });
  write("bigseed", { experiment: meta(6, { name: "bigseed" }), config: '{"lr":0.05,"seed":18446744073709551617}\n', results: { val: { acc: 0.7 } } });
  write("broken", { experiment: meta(7, { name: "broken", status: "exploded" }), config: '{"lr":0.06}\n', results: { val: { acc: 0.99 } } });
});
afterAll(cleanup);

describe("experiments written with plain git plumbing", () => {
  test("are indexed like git-exp's own; one failing its schema is left out with a warning naming it", () => {
    expect(git(dir, ["fsck", "--no-dangling"]).trim()).toBe("");
    const r = run(["ls", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`experiment ${ids.get("broken")!.slice(0, 12)} left out of the index`);
    expect(r.stderr).toContain("status");
    const rows = JSON.parse(r.stdout) as { id: string; name: string | null; metrics: Record<string, unknown>; params: Record<string, unknown> }[];
    expect(rows.map((e) => e.id).sort()).toEqual([...ids.entries()].filter(([k]) => k !== "broken").map(([, id]) => id).sort());
    const byName = new Map(rows.map((e) => [e.name, e]));
    expect(byName.get(null)!.metrics).toEqual({ "val.acc": 0.77 });
    expect(byName.get("nested")!.metrics).toEqual({ "train.loss": 0.2, "val.acc": 0.81, "val.f1.macro": 0.6 });
    expect(byName.get("diverged")!.metrics).toEqual({ grad: "Infinity", loss: "NaN", low: "-Infinity", "val.acc": 0.1 });
    expect(byName.get("unicode")!.params).toEqual({ lr: 0.04, "模型.深度": 3 });
    expect(byName.get("bigseed")!.params["seed"]).toBe("18446744073709551617");

    const status = JSON.parse(run(["index", "--status", "--json"]).stdout) as { experiments: number; hidden: { invalid: { id: string }[] } };
    expect(status.experiments).toBe(6);
    expect(status.hidden.invalid.map((i) => i.id)).toEqual([ids.get("broken")]);
  });

  test("filters on them: unicode and quoted keys, nested metrics, NaN and infinities", () => {
    expect(listed("params.模型.深度 = 3")).toEqual(["unicode"]);
    expect(listed("metrics.`f1 (macro)` > 0.4 and metrics.précision >= 0.9")).toEqual(["unicode"]);
    expect(listed("metrics.val.f1.macro > 0.5")).toEqual(["nested"]);
    expect(listed("metrics.loss = nan")).toEqual(["diverged"]);
    expect(listed("metrics.grad > 1e308 and metrics.low < -1e308")).toEqual(["diverged"]);
    expect(listed("metrics.loss < 1")).toEqual(["timed"]);
  });

  test("--columns and --sort take a key as the table header spells it (metrics.f1 (macro)), unquoted", () => {
    const r = run(["ls", "--columns", "name,metrics.f1 (macro),params.模型.深度", "--sort", "metrics.f1 (macro) desc", "-n", "2", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual(["name,metrics.f1 (macro),params.模型.深度", "unicode,0.5,3"]);
    const quoted = run(["ls", "--columns", "name,metrics.`f1 (macro)`", "--sort=-metrics.`f1 (macro)`", "-n", "1", "--format", "csv"]);
    expect(quoted.stdout).toBe("name,metrics.f1 (macro)\nunicode,0.5\n");
    expect(run(["ls", "--columns", "name,metrics.f2 (macro)"]).code).toBe(2);
  });

  test("a 64-bit seed in a filter is compared exactly, not a crash", () => {
    expect(listed("params.seed = 18446744073709551617")).toEqual(["bigseed"]);
    expect(listed("params.seed = 18446744073709551616")).toEqual([]);
    expect(listed("params.seed != 18446744073709551616")).toEqual(["bigseed"]);
    expect(listed("params.seed > 1e19 and params.seed < 18446744073709551617000")).toEqual(["bigseed"]);
    expect(listed("metrics.val.acc < 100000000000000000000")).toHaveLength(5);
  });

  test("top, trend and sql answer from them; the series keeps its time and NaN point", () => {
    const top = JSON.parse(run(["top", "val.acc", "--json"]).stdout) as { rows: { name: string | null; value: number }[] };
    expect(top.rows.map((r) => [r.name, r.value])).toEqual([["nested", 0.81], [null, 0.77], ["bigseed", 0.7], ["unicode", 0.66], ["diverged", 0.1]]);
    const trend = JSON.parse(run(["trend", "val.acc", "--every", "month", "--json"]).stdout) as { points: { count: number; mean: number; best: number }[] };
    expect(trend.points).toHaveLength(1);
    expect(trend.points[0]!.count).toBe(5);
    expect(trend.points[0]!.mean).toBeCloseTo((0.77 + 0.81 + 0.1 + 0.66 + 0.7) / 5, 12);
    const sql = run(["sql", "SELECT step, value FROM series WHERE key = 'loss' ORDER BY step", "--format", "csv"]);
    expect(sql.stdout).toBe("step,value\n0,1\n1,0.6\n2,NaN\n3,0.3\n");
  });
});

describe("what another writer may store that every command must survive", () => {
  // A repository of its own, made once the tests above are done with theirs.
  beforeAll(() => {
    dir = makeRepo();
    ids.clear();
    const write = (key: string, w: Written): void => void ids.set(key, writeWithPlumbing(w));
    write("nul", { experiment: meta(1, { name: "nul" }), config: '{"a":1,"a\\u0000":2}\n', results: { acc: 0.5 } });
    write("cased", { experiment: meta(2, { name: "cased" }), config: '{"LR":0.1,"lr":0.2}\n', results: { Acc: 0.7, acc: 0.6 } });
    write("inf", { experiment: meta(3, { name: "inf" }), config: '{"lr":9}\n', results: { acc: "Infinity" } });
    write("inf-again", { experiment: meta(4, { name: "inf-again" }), config: '{"lr":9}\n', results: { acc: 0.4 } });
    write("bom", {
      experiment: meta(5, { name: "bom" }),
      config: '{"lr":3}\n',
      results: { acc: 0.3 },
      artifacts: { "note.txt": Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]) },
    });
    write("series-notes", {
      experiment: meta(7, { name: "series-notes" }),
      config: '{"lr":5}\n',
      results: { acc: 0.1 },
      series: { loss: { step: [0, 1], value: [0.9, 0.8] } },
      seriesOther: { "README.txt": Buffer.from("written by another tool\n") },
    });
    write("no-ms", { experiment: { ...meta(6, { name: "no-ms" }), created_at: "2026-03-06T08:00:00Z" }, config: '{"lr":4}\n', results: { acc: 0.2 } });
  });

  test("a key holding NUL, and keys differing only in case, each get their own runs column", () => {
    const r = run(["sql", 'SELECT name, "params.a", "params.a\\0", "params.LR", "params.lr_1", "metrics.Acc", "metrics.acc_1" FROM runs WHERE name IN (\'nul\', \'cased\') ORDER BY name', "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { name: "cased", "params.a": null, "params.a\\0": null, "params.LR": 0.1, "params.lr_1": 0.2, "metrics.Acc": 0.7, "metrics.acc_1": 0.6 },
      { name: "nul", "params.a": 1, "params.a\\0": 2, "params.LR": null, "params.lr_1": null, "metrics.Acc": null, "metrics.acc_1": 0.5 },
    ]);
    expect(run(["ls", "--where", "params.a = 1"]).code).toBe(0);
  });

  test("top --by config with an infinite run in a group: no spread for it, not a crash", () => {
    const r = run(["top", "acc", "--by", "config", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const groups = (JSON.parse(r.stdout) as { groups: { count: number; mean: number | string; std: number | null; best: number | string }[] }).groups;
    const nine = groups.find((g) => g.count === 2)!;
    expect([nine.best, nine.std]).toEqual(["Infinity", null]);
  });

  test("a ref to a tree or an annotated tag is no experiment: left out with a warning, by the index and by export", () => {
    const good = ids.get("inf")!;
    const tree = gitIn(["rev-parse", `${good}^{tree}`]);
    gitIn(["tag", "-a", "-m", "t", "ann", good]);
    const tag = gitIn(["rev-parse", "ann"]);
    gitIn(["update-ref", `refs/experiments/${tree}`, tree]);
    gitIn(["update-ref", `refs/experiments/${tag}`, tag]);
    const ls = run(["ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { id: string }[]).map((e) => e.id).sort()).toEqual([...ids.values()].sort());
    expect(ls.stderr).toContain(`${tree.slice(0, 12)}`);
    expect(ls.stderr).toContain("not a commit");
    const exported = run(["export"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split("\n")).toHaveLength(ids.size);
    expect(exported.stderr).toContain(`${tag.slice(0, 12)} skipped`);
    expect(run(["top", "acc", "--by", "config", "--json"]).stdout).not.toContain(tree);
    gitIn(["update-ref", "-d", `refs/experiments/${tree}`]);
    gitIn(["update-ref", "-d", `refs/experiments/${tag}`]);
  });

  test("export keeps a text file's byte-order mark: the file comes back byte for byte", () => {
    const line = run(["export", "--where", "name = 'bom'"]).stdout.trim();
    const doc = JSON.parse(line) as { files: Record<string, { text?: string }> };
    expect(Buffer.from(doc.files["artifacts/note.txt"]!.text!, "utf8")).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]));
    const other = makeRepo();
    const imported = binary(other, ["import", "-"], { input: line + "\n" });
    expect(imported.code, imported.stderr).toBe(0);
    expect(git(other, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${ids.get("bom")}`);
  });
});

describe("export, then import elsewhere, of another writer's experiments", () => {
  test("keeps another tool's file beside the series, and so the id", () => {
    expect(run(["sql", "SELECT count(*) AS n FROM series s JOIN experiments e USING (id) WHERE e.name = 'series-notes'", "--format", "csv"]).stdout).toBe("n\n2\n");
    const line = run(["export", "--where", "name = 'series-notes'"]).stdout.trim();
    expect(line).toContain("series/README.txt");
    const other = makeRepo();
    const imported = binary(other, ["import", "-"], { input: `${line}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    expect(git(other, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${ids.get("series-notes")}`);
  });

  test("keeps a created_at stored without milliseconds as it was, and so the id", () => {
    const line = run(["export", "--where", "name = 'no-ms'"]).stdout.trim();
    expect(line).toContain('"created_at":"2026-03-06T08:00:00Z"');
    const other = makeRepo();
    const imported = binary(other, ["import", "-", "--json"], { input: `${line}\n${line}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ read: 2, created: 1, existing: 1, reparented: 0, reidentified: 0 });
    expect(git(other, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${ids.get("no-ms")}`);
  });

  test("says why an id changed when the original was not in canonical form", () => {
    const line = run(["export", "--where", "name = 'no-ms'"]).stdout.trim();
    const doc = JSON.parse(line) as Record<string, unknown>;
    const changed = JSON.stringify({ ...doc, id: "0".repeat(40) });
    const imported = binary(makeRepo(), ["import", "-"], { input: `${changed}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain("not in git-exp's canonical form");
    expect(imported.stderr).not.toContain("source commit");
  });
});

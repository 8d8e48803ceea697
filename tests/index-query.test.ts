import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { binary, cleanup, cli, git, makeRepo } from "./helpers/repo.js";
import { fixtureDocs, importDocs, metricOf, type Doc } from "./helpers/experiments.js";
import { execFileSync } from "node:child_process";
import { Workspace, sql, top, type Leaderboard } from "../src/lib.js";
import { ROOT } from "./helpers/repo.js";

/**
 * Every answer is checked against an oracle computed from the raw documents, never
 * through the index.
 */
let dir: string;
const docs: Doc[] = fixtureDocs(120);
const byName = new Map(docs.map((d) => [d.experiment.name, d]));

beforeAll(async () => {
  dir = makeRepo({ commit: true });
  await importDocs(dir, docs);
});
afterAll(cleanup);

async function json<T>(args: string[]): Promise<T> {
  const r = await cli(dir, [...args, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Listed {
  id: string;
  name: string;
  status: string;
  created_at: string;
  tags: string[];
  metrics: Record<string, number | string | null>;
  params: Record<string, unknown>;
}

async function names(where: string, extra: string[] = []): Promise<string[]> {
  const rows = await json<Listed[]>(["ls", "--where", where, ...extra]);
  return rows.map((r) => r.name).sort();
}

function oracle(pred: (d: Doc) => boolean): string[] {
  return docs.filter(pred).map((d) => d.experiment.name).sort();
}

const finite = (v: number | undefined): v is number => v !== undefined && !Number.isNaN(v);
const lr = (d: Doc): number => d.config["lr"] as number;

describe("ls", () => {
  test("--json lists every experiment newest first with id, name, status, created_at, tags, metrics", async () => {
    const rows = await json<Listed[]>(["ls"]);
    expect(rows).toHaveLength(120);
    const sorted = [...rows].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    expect(rows.map((r) => r.created_at)).toEqual(sorted.map((r) => r.created_at));
    for (const r of rows) {
      const d = byName.get(r.name)!;
      expect(r.id).toMatch(/^[0-9a-f]{40}$/);
      expect(r.status).toBe(d.experiment.status);
      expect(r.created_at).toBe(d.experiment.created_at);
      expect(r.tags).toEqual([...(d.experiment.tags ?? [])].sort());
      const acc = metricOf(d, "val.acc");
      if (acc === undefined) expect(r.metrics["val.acc"]).toBeUndefined();
      else expect(r.metrics["val.acc"]).toBe(acc);
      const loss = metricOf(d, "loss")!;
      expect(r.metrics["loss"]).toBe(Number.isNaN(loss) ? "NaN" : loss);
      expect(r.params["model.layers"]).toBe((d.config["model"] as Record<string, unknown>)["layers"]);
      expect(r.params["模型.深度"]).toBe((d.config["模型"] as Record<string, unknown>)["深度"]);
    }
  });

  test("filters agree with the oracle: and, or, parentheses, in, is null, like, tags, unicode keys", async () => {
    expect(await names("params.lr < 0.05 and metrics.val.acc >= 0.5")).toEqual(
      oracle((d) => lr(d) < 0.05 && finite(metricOf(d, "val.acc")) && metricOf(d, "val.acc")! >= 0.5),
    );
    expect(await names("(params.model.layers = 0 or tags.baseline) and not params.model.act = 'relu'")).toEqual(
      oracle((d) => {
        const m = d.config["model"] as Record<string, unknown>;
        return (m["layers"] === 0 || (d.experiment.tags ?? []).includes("baseline")) && m["act"] !== "relu";
      }),
    );
    expect(await names("params.lr in (0.1, 0.001) and metrics.val.acc is null")).toEqual(
      oracle((d) => [0.1, 0.001].includes(lr(d)) && metricOf(d, "val.acc") === undefined),
    );
    expect(await names("name like 'exp-1%'")).toEqual(oracle((d) => d.experiment.name.startsWith("exp-1")));
    expect(await names("params.模型.深度 >= 3 and status = 'completed'")).toEqual(
      oracle((d) => ((d.config["模型"] as Record<string, number>)["深度"] ?? 0) >= 3 && d.experiment.status === "completed"),
    );
    expect(await names("metrics.`précision` > 0")).toEqual(oracle((d) => (metricOf(d, "précision") ?? -1) > 0));
    // NaN never passes a comparison, but `= nan` finds the diverged runs.
    expect(await names("metrics.loss > -1")).toEqual(oracle((d) => finite(metricOf(d, "loss"))));
    expect(await names("metrics.loss = nan")).toEqual(oracle((d) => Number.isNaN(metricOf(d, "loss"))));
    expect(await names("created < '2026-01-02T12:00:00Z'")).toEqual(oracle((d) => d.experiment.created_at < "2026-01-02T12:00:00Z"));
    expect(await names("params.model.act != 'relu'")).toEqual(oracle((d) => (d.config["model"] as Record<string, unknown>)["act"] !== "relu"));
  });

  test("--tag, --status, --since, --sort and --limit", async () => {
    const rows = await json<Listed[]>(["ls", "--tag", "sweep", "--tag", "gpu", "--status", "completed", "--sort", "metrics.val.acc desc", "-n", "5"]);
    const expected = docs
      .filter((d) => (d.experiment.tags ?? []).includes("sweep") && d.experiment.status === "completed")
      .sort((a, b) => {
        const va = metricOf(a, "val.acc");
        const vb = metricOf(b, "val.acc");
        if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
        return vb - va || (a.experiment.created_at < b.experiment.created_at ? 1 : -1);
      })
      .slice(0, 5)
      .map((d) => d.experiment.name);
    expect(rows.map((r) => r.name)).toEqual(expected);
    expect(await json<Listed[]>(["ls", "--since", "7d"])).toEqual([]);
    expect((await json<Listed[]>(["ls", "--since", "2026-01-06"])).length).toBe(docs.filter((d) => d.experiment.created_at >= "2026-01-06").length);
  });

  test("--sort -KEY, as the help writes it, sorts descending through the real CLI (and --sort=-KEY, 'KEY desc' agree)", async () => {
    const expected = await json<Listed[]>(["ls", "--sort", "metrics.val.acc desc", "-n", "7"]);
    for (const form of [["--sort", "-metrics.val.acc"], ["--sort=-metrics.val.acc"]]) {
      const r = binary(dir, ["ls", ...form, "-n", "7", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Listed[]).map((e) => e.name)).toEqual(expected.map((e) => e.name));
    }
    const wide = binary(dir, ["ls", "--where", "params.lr < 0.05", "--sort", "-metrics.val.acc", "--columns", "name,metrics.val.acc", "--format", "csv"]);
    expect(wide.code, wide.stderr).toBe(0);
    const values = wide.stdout.trim().split("\n").slice(1).map((l) => l.split(",")[1]!).filter((v) => v !== "" && v !== "NaN").map(Number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  test("--columns message, duration, exit_code and dirty show the recorded values (and --json carries them)", async () => {
    const repo = makeRepo({ commit: true });
    const doc = { experiment: { name: "timed", message: "first try", duration_s: 12.5, exit_code: 3, status: "failed" }, config: { lr: 0.1 }, results: { acc: 0.5 } };
    expect(binary(repo, ["record", "-"], { input: JSON.stringify(doc) }).code).toBe(0);
    const r = binary(repo, ["ls", "--columns", "name,message,duration,exit_code,dirty", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("name,message,duration,exit_code,dirty\ntimed,first try,12.5,3,false\n");
    const [listed] = JSON.parse(binary(repo, ["ls", "--json"]).stdout) as Record<string, unknown>[];
    expect(listed).toMatchObject({ message: "first try", duration_s: 12.5, exit_code: 3, dirty: false });
  });

  test("commit and config match the short forms ls shows, as id does", async () => {
    const repo = makeRepo({ commit: true });
    const record = (name: string, lr: number): void => {
      const doc = { experiment: { name }, config: { lr }, results: { acc: lr } };
      expect(binary(repo, ["record", "-"], { input: JSON.stringify(doc) }).code).toBe(0);
    };
    record("a", 0.1);
    git(repo, ["commit", "-q", "--allow-empty", "-m", "second"]);
    record("b", 0.2);
    record("c", 0.1);
    const shown = binary(repo, ["ls", "--columns", "name,commit,config"]).stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/));
    const row = (name: string): string[] => shown.find((r) => r[0] === name)!;
    const where = (filter: string): string[] => (JSON.parse(binary(repo, ["ls", "--where", filter, "--json"]).stdout) as { name: string }[]).map((e) => e.name).sort();
    expect(where(`commit = '${row("a")[1]}'`)).toEqual(["a"]);
    expect(where(`commit = '${row("b")[1]}'`)).toEqual(["b", "c"]);
    expect(where(`config = '${row("c")[2]}'`)).toEqual(["a", "c"]);
    expect(where(`config = '${row("c")[2]!.slice(0, 4)}' and commit = '${row("c")[1]!.slice(0, 7)}'`)).toEqual(["c"]);
  });

  test("--columns picks what the table shows; csv and md render the same rows", async () => {
    const r = await cli(dir, ["ls", "--columns", "name,params.lr,metrics.val.acc", "--where", "name = 'exp-1'", "--format", "csv"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`name,params.lr,metrics.val.acc\nexp-1,0.01,${metricOf(byName.get("exp-1")!, "val.acc")}\n`);
    const md = await cli(dir, ["ls", "--columns", "name", "--where", "name = 'exp-1'", "--format", "md"]);
    expect(md.stdout).toBe("| name |\n| --- |\n| exp-1 |\n");
  });
});

describe("top", () => {
  test("ranks by a metric with NaN and missing values left out and ties broken by time", async () => {
    const board = await json<{ rows: { name: string; value: number }[]; direction: string }>(["top", "val.acc", "-n", "200"]);
    const expected = docs
      .filter((d) => finite(metricOf(d, "val.acc")))
      .sort((a, b) => metricOf(b, "val.acc")! - metricOf(a, "val.acc")! || (a.experiment.created_at < b.experiment.created_at ? -1 : 1));
    expect(board.direction).toBe("max");
    expect(board.rows.map((r) => r.name)).toEqual(expected.map((d) => d.experiment.name));
    const loss = await json<{ rows: { name: string; value: number }[]; direction: string }>(["top", "loss", "-n", "3"]);
    expect(loss.direction).toBe("min");
    const lossExpected = docs.filter((d) => finite(metricOf(d, "loss"))).sort((a, b) => metricOf(a, "loss")! - metricOf(b, "loss")!);
    expect(loss.rows.map((r) => r.value)).toEqual(lossExpected.slice(0, 3).map((d) => metricOf(d, "loss")));
  });

  test("--by config: repeated runs of one config are one row with count, mean, std and best", async () => {
    const board = await json<{ groups: { count: number; mean: number; std: number | null; best: number; best_name: string }[] }>([
      "top", "val.acc", "--by", "config", "-n", "1000",
    ]);
    const groups = new Map<string, number[]>();
    const firstAt = new Map<string, string>();
    for (const d of docs) {
      const v = metricOf(d, "val.acc");
      if (!finite(v)) continue;
      const k = JSON.stringify(d.config, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
      groups.set(k, [...(groups.get(k) ?? []), v]);
      if (!firstAt.has(k) || d.experiment.created_at < firstAt.get(k)!) firstAt.set(k, d.experiment.created_at);
    }
    expect(board.groups).toHaveLength(groups.size);
    const stats = [...groups.entries()].map(([k, vs]) => {
      const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
      const std = vs.length > 1 ? Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (vs.length - 1)) : null;
      return { count: vs.length, mean, std, best: Math.max(...vs), first: firstAt.get(k)! };
    });
    // Ties on the best value go to the config first run earlier.
    stats.sort((a, b) => b.best - a.best || (a.first < b.first ? -1 : 1));
    board.groups.forEach((g, i) => {
      expect(g.best).toBe(stats[i]!.best);
      expect(g.count).toBe(stats[i]!.count);
      expect(g.mean).toBeCloseTo(stats[i]!.mean, 12);
      if (stats[i]!.std === null) expect(g.std).toBeNull();
      else expect(g.std).toBeCloseTo(stats[i]!.std!, 12);
    });
  });

  test("unknown metric: exit 3 with the nearest known names; an empty repository answers empty", async () => {
    const r = await cli(dir, ["top", "val.accc"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("metrics.val.acc");
    const empty = makeRepo();
    const t = await cli(empty, ["top", "val.acc", "--json"]);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).rows).toEqual([]);
    const l = await cli(empty, ["ls", "--json", "--where", "metrics.acc > 1"]);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toEqual([]);
  });
});

describe("trend", () => {
  test("per day: count, min, mean, max and best agree with the oracle", async () => {
    const trend = await json<{ points: { at: string; count: number; min: number; mean: number; max: number; best: number }[] }>(["trend", "val.acc"]);
    const days = new Map<string, number[]>();
    for (const d of docs) {
      const v = metricOf(d, "val.acc");
      if (finite(v)) days.set(d.experiment.created_at.slice(0, 10), [...(days.get(d.experiment.created_at.slice(0, 10)) ?? []), v]);
    }
    const expected = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(trend.points.map((p) => p.at.slice(0, 10))).toEqual(expected.map(([d]) => d));
    trend.points.forEach((p, i) => {
      const vs = expected[i]![1];
      expect(p.count).toBe(vs.length);
      expect(p.min).toBe(Math.min(...vs));
      expect(p.max).toBe(Math.max(...vs));
      expect(p.best).toBe(Math.max(...vs));
      expect(p.mean).toBeCloseTo(vs.reduce((a, b) => a + b, 0) / vs.length, 12);
    });
    const table = await cli(dir, ["trend", "val.acc", "--every", "week"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/best per week: +[▁▂▃▄▅▆▇█ ]+/);
  });
});

describe("sql", () => {
  test("tables answer with typed values; runs has a column per param and metric", async () => {
    const rows = await json<Record<string, unknown>[]>(["sql", 'SELECT name, "params.lr", "metrics.val.acc", "params.模型.深度" FROM runs ORDER BY name']);
    expect(rows).toHaveLength(120);
    for (const r of rows) {
      const d = byName.get(r["name"] as string)!;
      expect(r["params.lr"]).toBe(lr(d));
      expect(r["metrics.val.acc"]).toBe(metricOf(d, "val.acc") ?? null);
      expect(r["params.模型.深度"]).toBe((d.config["模型"] as Record<string, number>)["深度"]);
    }
    const nan = await json<{ n: number }[]>(["sql", "SELECT count(*) AS n FROM metrics WHERE key = 'loss' AND isnan(value)"]);
    expect(nan[0]!.n).toBe(docs.filter((d) => Number.isNaN(metricOf(d, "loss"))).length);
    const series = await json<{ n: number; argmin: number }[]>(["sql", "SELECT count(*) AS n, max(argmin_step) AS argmin FROM metrics WHERE key = 'loss' AND points = 3"]);
    expect(series[0]!.n).toBe(docs.filter((d) => d.series).length);
    expect(series[0]!.argmin).toBe(20);
    const types = await json<Record<string, unknown>[]>(["sql", "SELECT typeof(created_at) AS t, typeof(exit_code) AS b FROM experiments LIMIT 1"]);
    expect(types[0]).toEqual({ t: "TIMESTAMP", b: "BIGINT" });
  });

  test("a query that finds nothing says so on stderr; csv still gives the header", () => {
    const table = binary(dir, ["sql", "SELECT name, status FROM experiments WHERE false"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toBe("");
    expect(table.stderr).toBe("no rows (columns: name, status)\n");
    const csv = binary(dir, ["sql", "SELECT name, status FROM experiments WHERE false", "--format", "csv"]);
    expect(csv.stdout).toBe("name,status\n");
    expect(csv.stderr).toBe("");
  });

  test("writes, file access, ATTACH and INSTALL are refused with exit 2", async () => {
    for (const q of ["DELETE FROM experiments", "CREATE TABLE x AS SELECT 1"]) {
      const r = await cli(dir, ["sql", q]);
      expect(r.code, q).toBe(2);
      expect(r.stderr, q).toMatch(/git exp sql only reads/);
    }
    for (const q of [
      "COPY experiments TO '/tmp/git-exp-leak.csv'",
      "SELECT * FROM read_csv('/etc/passwd')",
      "ATTACH '/tmp/other.duckdb'",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
    ]) {
      const r = await cli(dir, ["sql", q]);
      expect(r.code, q).toBe(2);
      expect(r.stderr, q).toMatch(/refused in git exp sql; pass --allow-files to allow them/);
    }
    const count = await json<{ n: number }[]>(["sql", "SELECT count(*) AS n FROM experiments"]);
    expect(count[0]!.n).toBe(120);
    const bad = await cli(dir, ["sql", "SELEC 1"]);
    expect(bad.code).toBe(2);
  });
});

describe("library", () => {
  test("the api through the package entry point: a Workspace, sql() and top(); nothing internal exported", async () => {
    // As a user's program imports it: `import ... from "git-exp"` (the package's exports, dist/), run by plain node.
    const program = `
      import * as lib from "git-exp";
      const ws = new lib.Workspace({ cwd: process.argv[1] });
      const r = await lib.sql(ws, { query: "SELECT count(*) AS n FROM experiments" });
      const board = await lib.top(ws, { metric: "metrics.val.acc", limit: 1 });
      await ws.close();
      console.log(JSON.stringify({ rows: r.rows, types: r.types, best: board.rows[0].value, names: Object.keys(lib) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", program, dir], { cwd: ROOT, encoding: "utf8" })) as { rows: unknown[]; types: string[]; best: number; names: string[] };
    expect(out.rows).toEqual([{ n: 120 }]);
    expect(out.types).toEqual(["BIGINT"]);
    const best = Math.max(...docs.map((d) => metricOf(d, "val.acc")).filter((v): v is number => v !== undefined && !Number.isNaN(v)));
    expect(out.best).toBe(best);
    expect(out.names).toEqual(expect.arrayContaining(["Workspace", "record", "run", "top", "trend", "check", "push", "pull", "UsageError"]));
    for (const internal of ["ExperimentStore", "openRepository", "ExperimentIndex", "runUserSql", "leaderboard", "withIndex"]) expect(out.names).not.toContain(internal);
    // The same, typed, in this process
    const ws = new Workspace({ cwd: dir });
    try {
      const board: Leaderboard = await top(ws, { metric: "val.acc", by: "name", limit: 3 });
      expect(board.groups).toHaveLength(3);
      expect((await sql(ws, { query: "SELECT 1 AS one" })).rows).toEqual([{ one: 1 }]);
    } finally {
      await ws.close();
    }
  });
});

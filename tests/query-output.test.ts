import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guessDirection } from "../src/analysis/leaderboard.js";
import { displayWidth } from "../src/core/text-width.js";
import { formatNumber, renderTable } from "../src/report/format.js";
import { binary, cleanup, cli, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

describe("tables", () => {
  it("never print a rounded large number as if it were exact", () => {
    expect(formatNumber(123456789.123)).toBe("1.23457e+8");
    expect(formatNumber(123456)).toBe("123456");
    expect(formatNumber(0.123456789)).toBe("0.123457");
    expect(formatNumber(99999.25)).toBe("99999.3");
  });

  it("count a CJK character as two columns, and keep a cut header's end", () => {
    const t = renderTable(["params.模型.深度", "name"], [{ "params.模型.深度": 3, name: "a" }]).split("\n");
    expect(displayWidth(t[0]!.slice(0, t[0]!.indexOf("name")))).toBe(displayWidth(t[1]!.slice(0, t[1]!.indexOf("a"))));
    const cut = renderTable(["params.optimizer.name", "params.optimizer.beta"], [{ "params.optimizer.name": "adam", "params.optimizer.beta": 0.9 }], 24);
    expect(cut.split("\n")[0]).toMatch(/^…\S*\.name +…\S*\.beta$/);
  });
});

describe("which way is better, guessed from a metric's name", () => {
  it("reads the words of a name split at dots, underscores, dashes, slashes and spaces", () => {
    for (const m of ["val loss", "val.loss", "train/loss", "word_error", "latency-ms", "memory", "fid"]) expect(guessDirection(m), m).toBe("min");
    for (const m of ["val acc", "f1 (macro)", "lossless_rate", "timestamped"]) expect(guessDirection(m), m).toBe("max");
  });
});

describe("query commands", () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo({ commit: true });
    const f = tempDir();
    const rec = async (name: string | null, acc: number, date: string): Promise<void> => {
      const args = ["record", "--config", writeJson(f, "c.json", { lr: acc }), "--results", writeJson(f, "r.json", { acc, big: 123456789.123 })];
      const r = await cli(dir, name ? [...args, "--name", name] : args, { env: { GIT_AUTHOR_DATE: date } });
      expect(r.code, r.stderr).toBe(0);
    };
    await rec(null, 0.9, "2026-01-01T00:00:00Z");
    await rec(null, 0.8, "2026-01-02T00:00:00Z");
    await rec("late", 0.9, "2026-01-03T00:00:00Z");
    await rec("early", 0.9, "2025-12-01T00:00:00Z");
  });

  it("write whole values into a pipe: nothing is cut when stdout is not a terminal", () => {
    const r = binary(dir, ["sql", "SELECT id, config_hash, source_commit FROM experiments"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("…");
    expect(r.stdout).toMatch(/[0-9a-f]{40} +[0-9a-f]{40} +[0-9a-f]{40}/);
  });

  it("top --by name: an unnamed run is its own group; tied groups go by when their best run happened", async () => {
    const r = await cli(dir, ["top", "acc", "--by", "name", "--json"]);
    const groups = (JSON.parse(r.stdout) as { groups: { group: string; count: number }[] }).groups;
    expect(groups.map((g) => g.count)).toEqual([1, 1, 1, 1]);
    expect(groups[0]!.group).toBe("early");
    expect(groups[1]!.group).toMatch(/^[0-9a-f]{40}$/);
    expect(groups[2]!.group).toBe("late");
  });

  it("trend: --every with --along is refused; an empty answer is said on stderr", async () => {
    expect((await cli(dir, ["trend", "acc", "--every", "month", "--along", "main"])).code).toBe(2);
    const empty = await cli(dir, ["trend", "acc", "--where", "name = 'nobody'"]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toMatch(/no experiments with this metric match/);
  });

  it("a status no experiment can have, an unknown column, a bad --sort: said as such", async () => {
    const status = await cli(dir, ["ls", "--where", "status = 'complete'"]);
    expect([status.code, status.stderr]).toEqual([2, expect.stringMatching(/status is one of completed, failed, interrupted, not "complete"/)]);
    expect((await cli(dir, ["ls", "--columns", "foo"])).code).toBe(3);
    expect((await cli(dir, ["ls", "--json", "--format", "csv"])).code).toBe(2);
    // A missing file the user's SQL names is the user's mistake, not damage to the index.
    const attach = await cli(dir, ["sql", "--allow-files", "ATTACH '/nonexistent/x.duckdb' AS z"]);
    expect(attach.code).toBe(2);
    expect(attach.stderr).not.toMatch(/rebuilding/);
    const sort = await cli(dir, ["ls", "--sort", "metrics.acc sideways"]);
    expect([sort.code, sort.stderr]).toEqual([2, expect.stringMatching(/cannot parse --sort at column 1: .*"KEY desc"/)]);
  });
});

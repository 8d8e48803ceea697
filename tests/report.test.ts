import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { binary, cli, cleanup, git, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

async function sweepRepo(): Promise<string> {
  const dir = makeRepo({ commit: true });
  const f = tempDir();
  let k = 0;
  for (const commit of [0, 1]) {
    if (commit) {
      writeFileSync(join(dir, "train.py"), "v2\n");
      git(dir, ["commit", "-q", "-am", "v2"]);
    }
    for (const lr of [0.1, 0.01]) {
      for (const opt of ["sgd", "adam"]) {
        const acc = 0.8 + (lr === 0.01 ? 0.05 : 0) + (opt === "adam" ? 0.02 : 0) + commit * 0.03;
        writeFileSync(join(f, "s.jsonl"), [0, 1, 2].map((s) => JSON.stringify({ step: s, loss: 1 / (s + 1) + lr })).join("\n"));
        const r = await cli(dir, ["record", "--config", writeJson(f, "c.json", { lr, opt, epochs: 3 }), "--results", writeJson(f, "r.json", { val: { acc }, loss: 1 - acc }), "--series", join(f, "s.jsonl"), "--name", `run-${k++}`]);
        expect(r.code, r.stderr).toBe(0);
      }
    }
  }
  return dir;
}

describe("git exp report", () => {
  it("writes a self-contained HTML report with leaderboard, parallel coordinates, curves and trend", async () => {
    const dir = await sweepRepo();
    const r = await cli(dir, ["report", "-o", "report.html"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ranked by val\.acc, a validation metric \(higher is better/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html).toContain("<h2>Leaderboard</h2>");
    // only the params that vary get axes: lr and opt, not epochs
    expect(html).toContain(">params.lr<");
    expect(html).toContain(">params.opt<");
    expect(html).not.toContain(">params.epochs<");
    expect(html.match(/<path class="run"/g)).toHaveLength(8);
    expect(html).toContain("loss of the top runs");
    expect(html).toContain("val.acc along main");
    // the trend's x axis names the commits, not fractions of a position
    const trend = html.slice(html.indexOf("val.acc along main"));
    const ticks = [...trend.matchAll(/text-anchor="middle" fill="#333">([^<]*)<\/text>/g)].map((m) => m[1]).filter((t) => t && !t.startsWith("commits") && t !== "val.acc");
    expect(ticks).toEqual(git(dir, ["log", "--reverse", "--format=%h", "--abbrev=7"]).trim().split("\n"));
    // the best run leads: lr 0.01, adam, on the second commit
    const firstRow = /<tbody><tr>(.*?)<\/tr>/.exec(html)![1]!;
    expect(firstRow).toContain("adam");
    expect(firstRow).toContain("0.9");
  });

  it("writes Markdown, ranks a loss lower-first, and refuses a bad output name", async () => {
    const dir = await sweepRepo();
    const r = await cli(dir, ["report", "-o", "r.md", "--metric", "loss"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lower is better/);
    const md = readFileSync(join(dir, "r.md"), "utf8");
    expect(md).toMatch(/^# Experiments report/);
    expect(md).toMatch(/\| # \| id \| name \| loss \|/);
    expect((await cli(dir, ["report", "-o", "r.pdf"])).code).toBe(2);
    expect((await cli(dir, ["report", "-o", "r.md", "--metric", "nope"])).code).toBe(3);
    const near = binary(dir, ["report", "-o", "r2.md", "--metric", "val.ac"]);
    expect(near.code).toBe(3);
    expect(near.stderr).toMatch(/no experiment has a value for the metric 'val\.ac'; did you mean val\.acc/);
    expect(existsSync(join(dir, "r2.md"))).toBe(false);
  });

  it("shows a 64-bit seed as its digits, in the table and on its axis", async () => {
    const dir = makeRepo({ commit: true });
    const f = tempDir();
    for (const [i, seed] of ["18446744073709551617", "18446744073709551618"].entries()) {
      const r = binary(dir, ["record", "--config", writeJson(f, "c.json", `{"seed": ${seed}}`), "--results", writeJson(f, "r.json", { acc: 0.5 + i / 10 }), "--name", `s-${i}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(binary(dir, ["report", "-o", "r.md"]).code).toBe(0);
    const md = readFileSync(join(dir, "r.md"), "utf8");
    expect(md).toMatch(/\| s-1 \| 0\.6 \| 18446744073709551618 \|/);
    expect(md).not.toContain('"18446744073709551618"');
    expect(binary(dir, ["report", "-o", "r.html"]).code).toBe(0);
    const html = readFileSync(join(dir, "r.html"), "utf8");
    expect(html).toContain(">18446744073709551617<");
    expect(html).not.toContain("&quot;18446744073709551617&quot;");
  });

  it("in an empty repository says how to record a first experiment", async () => {
    const dir = makeRepo();
    const r = await cli(dir, ["report", "-o", "r.html"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/git exp record/);
  });

  it("reports on the experiments a --where filter picks", async () => {
    const dir = await sweepRepo();
    const r = await cli(dir, ["report", "--where", "params.opt = 'sgd'", "-o", "sgd.md"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote sgd\.md: 4 runs ranked by val\.acc/);
    const md = readFileSync(join(dir, "sgd.md"), "utf8");
    expect(md).toContain("run-2");
    expect(md).not.toContain("run-3");
    const bad = await cli(dir, ["report", "--where", "params.opt = ", "-o", "bad.md"]);
    expect(bad.code).toBe(2);
    const none = await cli(dir, ["report", "--where", "params.lr > 1", "-o", "none.md"]);
    expect(none.code).toBe(3);
    expect(existsSync(join(dir, "bad.md")) || existsSync(join(dir, "none.md"))).toBe(false);
  });
});


import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { binary, cli, cleanup, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

async function repoWithCurves(): Promise<string> {
  const dir = makeRepo({ commit: true });
  const f = tempDir();
  for (const [i, lr] of [0.1, 0.01, 0.1].entries()) {
    const lines = [0, 1, 2, 3].map((s) => JSON.stringify({ step: s, loss: s === 2 && i === 0 ? "NaN" : 1 / (s + 1 + i), time: 1700000000 + s * 60 }));
    writeFileSync(join(f, "s.jsonl"), lines.join("\n").replace('"NaN"', "NaN") + "\n");
    const r = await cli(dir, ["record", "--config", writeJson(f, "c.json", { lr, seed: i }), "--results", writeJson(f, "r.json", { loss: 0.2 }), "--series", join(f, "s.jsonl"), "--name", `run-${i}`]);
    expect(r.code, r.stderr).toBe(0);
  }
  return dir;
}

describe("git exp plot", () => {
  it("writes an SVG with one path per run and gaps for NaN", async () => {
    const dir = await repoWithCurves();
    const r = await cli(dir, ["plot", "loss", "-o", "loss.svg"]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "loss.svg"), "utf8");
    expect(svg.match(/<path class="series"/g)).toHaveLength(3);
    expect(svg).not.toMatch(/NaN/);
    const run0 = /data-label="run-0" d="([^"]+)"/.exec(svg)![1]!;
    expect(run0.match(/M/g)).toHaveLength(2);
    // run-0's last step follows its NaN: alone between the gap and the end, it is a dot
    expect(svg.match(/<circle class="point"/g)).toHaveLength(1);
  });

  it("colours and labels by a param, by time, smoothed, on a log scale, as HTML", async () => {
    const dir = await repoWithCurves();
    const r = await cli(dir, ["plot", "loss", "run-0", "run-1", "run-2", "--color-by", "params.lr", "--x", "time", "--smooth", "0.5", "--log", "-o", "p.html"]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, "p.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain("lr=0.1");
    expect(html).toContain("lr=0.01");
    // two runs share lr=0.1: one colour, one legend entry
    expect(html.match(/fill="#333">lr=0\.1<\/text>/g)).toHaveLength(1);
  });

  it("--x time: seconds since each run's first point; runs that logged no time are left out with a warning", async () => {
    const dir = await repoWithCurves();
    const f = tempDir();
    writeFileSync(join(f, "s.jsonl"), '{"step":0,"loss":1}\n{"step":1,"loss":0.5}\n');
    const untimed = await cli(dir, ["record", "--config", writeJson(f, "c.json", { lr: 1 }), "--results", writeJson(f, "r.json", { loss: 0.5 }), "--series", join(f, "s.jsonl"), "--name", "untimed"]);
    expect(untimed.code, untimed.stderr).toBe(0);
    const r = binary(dir, ["plot", "loss", "--x", "time", "-o", "t.svg"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/untimed logged no time with 'loss'/);
    const svg = readFileSync(join(dir, "t.svg"), "utf8");
    expect(svg.match(/<path class="series"/g)).toHaveLength(3);
    expect(svg).not.toContain('data-label="untimed"');
    // three points a minute apart: the axis runs 0 to 180 s, not 1.7e+9
    const ticks = [...svg.matchAll(/text-anchor="middle" fill="#333">([^<]+)<\/text>/g)].map((m) => m[1]!);
    expect(ticks.filter((t) => /^[\d.e+-]+$/.test(t))).toEqual(["0", "50", "100", "150"]);
    expect(ticks).toContain("seconds since the run's first point");
    expect(ticks.join(" ")).not.toMatch(/e\+/);
    const only = binary(dir, ["plot", "loss", "untimed", "--x", "time", "-o", "u.svg"]);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/plot by step/);
  });

  it("prints SVG when piped, and refuses what it cannot plot", async () => {
    const dir = await repoWithCurves();
    const piped = await cli(dir, ["plot", "loss", "run-1"]);
    expect(piped.stdout).toMatch(/^<svg/);
    expect((await cli(dir, ["plot", "nope"])).code).toBe(3);
    const typo = binary(dir, ["plot", "los"]);
    expect(typo.code).toBe(3);
    expect(typo.stderr).toMatch(/no experiment has a 'los' series; did you mean loss\?/);
    const empty = binary(makeRepo(), ["plot", "loss"]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/no experiment has a metric history yet: run one with .git exp run -- python train.py./);
    expect((await cli(dir, ["plot", "loss", "-o", "x.png"])).code).toBe(2);
    const nodir = await cli(dir, ["plot", "loss", "-o", "nodir/x.svg"]);
    expect([nodir.code, nodir.stderr]).toEqual([2, expect.stringMatching(/cannot write .*nodir.*: its folder does not exist/)]);
    expect((await cli(dir, ["report", "-o", "nodir/r.html"])).code).toBe(2);
    expect((await cli(dir, ["plot", "loss", "--smooth", "2"])).code).toBe(2);
    expect((await cli(dir, ["plot", "loss", "missing-run"])).code).toBe(3);
    const colour = binary(dir, ["plot", "loss", "--color-by", "params.lrr", "-o", "c.svg"]);
    expect(colour.code).toBe(3);
    expect(colour.stderr).toMatch(/no plotted run has the param 'lrr'; did you mean params\.lr/);
    expect(existsSync(join(dir, "c.svg"))).toBe(false);
  });

  it("plots the experiments a --where filter picks, through the index", async () => {
    const dir = await repoWithCurves();
    const r = await cli(dir, ["plot", "loss", "--where", "params.lr = 0.1", "-o", "w.svg"]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "w.svg"), "utf8");
    expect(svg.match(/<path class="series"/g)).toHaveLength(2);
    expect(svg).toContain('data-label="run-0"');
    expect(svg).toContain('data-label="run-2"');
    expect(svg).not.toContain('data-label="run-1"');
    const limited = await cli(dir, ["plot", "loss", "--where", "params.lr = 0.1", "--limit", "1", "-o", "l.svg"]);
    expect(limited.stderr).toMatch(/2 experiments match and have a 'loss' series: plotting the newest 1/);
  });

  it("refuses a bad --where with its column, one that matches nothing, and ids with --where", async () => {
    const dir = await repoWithCurves();
    const bad = await cli(dir, ["plot", "loss", "--where", "params.lr <", "-o", "x.svg"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/column 12/);
    const unknown = await cli(dir, ["plot", "loss", "--where", "params.lrr = 1", "-o", "x.svg"]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/did you mean params\.lr/);
    const none = await cli(dir, ["plot", "loss", "--where", "params.lr > 5", "-o", "x.svg"]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no experiment matching the filter has a 'loss' series; the filter leaves out every experiment that has one/);
    const both = await cli(dir, ["plot", "loss", "run-1", "--where", "params.lr = 0.1"]);
    expect(both.code).toBe(2);
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
  });
});


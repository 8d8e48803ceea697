import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cleanup, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

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

  it("prints SVG when piped, and refuses what it cannot plot", async () => {
    const dir = await repoWithCurves();
    const piped = await cli(dir, ["plot", "loss", "run-1"]);
    expect(piped.stdout).toMatch(/^<svg/);
    expect((await cli(dir, ["plot", "nope"])).code).toBe(3);
    expect((await cli(dir, ["plot", "loss", "-o", "x.png"])).code).toBe(2);
    expect((await cli(dir, ["plot", "loss", "--smooth", "2"])).code).toBe(2);
    expect((await cli(dir, ["plot", "loss", "missing-run"])).code).toBe(3);
  });
});

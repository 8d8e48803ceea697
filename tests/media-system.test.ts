import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, cleanup, git, makeRepo, tempDir } from "./helpers/repo.js";
import { svg, systemDoc } from "./helpers/media.js";

let dir: string;
let id: string;

beforeAll(async () => {
  dir = makeRepo({ commit: true });
  const r = await cli(dir, ["record", "-", "--json"], { input: JSON.stringify(systemDoc("sys-run")) });
  expect(r.code, r.stderr).toBe(0);
  id = (JSON.parse(r.stdout) as { id: string }).id;
});
afterAll(cleanup);

describe("system metrics and media, read back", () => {
  it("are stored as the format says: series/system/ folders and media/<key>/<step>.<ext>", () => {
    const files = git(dir, ["ls-tree", "-r", "--name-only", id]).split("\n");
    expect(files).toEqual(expect.arrayContaining(["series/system/cpu_pct.json", "series/system/gpu0/util_pct.json", "series/loss.json", "media/samples/0.png", "media/samples/10.svg"]));
    expect(JSON.parse(git(dir, ["show", `${id}:series/system/cpu_pct.json`]))).toEqual({ step: [0, 1, 2], time: [1772359201, 1772359211, 1772359221], value: [95.5, 101, 99] });
  });

  it("show lists them apart from the training series and the other files", async () => {
    const r = await cli(dir, ["show", "sys-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Series:\n  loss  3 points/m);
    expect(r.stdout).not.toMatch(/^ {2}system\//m);
    expect(r.stdout).toMatch(/^System:\n {2}cpu_pct {8}3 samples over 20 s, mean 98\.5, max 101, last 99$/m);
    expect(r.stdout).toMatch(/^ {2}gpu0\/util_pct +3 samples over 20 s, mean 59\.3333, max 91, last 91$/m);
    expect(r.stdout).toMatch(/^Media:\n {2}samples {2}3 images, steps 0-10, \d+ bytes/m);
    expect(r.stdout).not.toMatch(/^Files:/m);
  });

  it("show says one sample and one point in the singular", async () => {
    const doc = systemDoc("one-sample");
    doc["series"] = { loss: { step: [0], value: [0.5] }, "system/cpu_pct": { step: [0], value: [40], time: [1772359201] } };
    doc["files"] = {};
    // a repository of its own: the tests below count this file's experiments
    const own = makeRepo({ commit: true });
    const r = await cli(own, ["record", "-"], { input: JSON.stringify(doc) });
    expect(r.code, r.stderr).toBe(0);
    const shown = await cli(own, ["show", "one-sample"]);
    expect(shown.stdout).toMatch(/^ {2}loss {2}1 point, last 0\.5, min 0\.5, max 0\.5$/m);
    expect(shown.stdout).toMatch(/^ {2}cpu_pct {2}1 sample, mean 40, max 40, last 40$/m);
  });

  it("plot draws a system metric against time; the index has it as a series", async () => {
    const r = await cli(dir, ["plot", "system/cpu_pct", "sys-run", "--x", "time"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<svg/);
    expect(r.stdout).toContain("system/cpu_pct");
    const q = await cli(dir, ["sql", "select key, count(*) as n from series where key like 'system/%' group by key order by key", "--json"]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([
      { key: "system/cpu_pct", n: 3 },
      { key: "system/gpu0/util_pct", n: 3 },
      { key: "system/rss_mb", n: 3 },
    ]);
  });

  it("the report charts the best run's system metrics and embeds the last image of each key", async () => {
    const out = join(tempDir(), "report.html");
    const r = await cli(dir, ["report", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("System metrics of the best run (sys-run)");
    expect(html).toContain("Media of the best run (sys-run)");
    expect(html).toContain(`src="data:image/svg+xml;base64,${Buffer.from(svg("#e15759")).toString("base64")}"`);
    expect(html).not.toContain(Buffer.from(svg("#59a14f")).toString("base64"));
    expect(html).toMatch(/samples<\/figcaption>|samples, step 10/);
    // the learning curves are of the training series, not of the system metrics
    expect(html).toMatch(/loss of the top runs/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareSpecs } from "../src/analysis/compare.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, cli, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

let dir: string;
const ids: Record<string, string> = {};

async function recordDoc(name: string, config: Record<string, unknown>, results: Record<string, unknown>): Promise<void> {
  const doc = { experiment: { name, created_at: "2026-11-01T10:00:00.000Z" }, config, results };
  const r = await cli(dir, ["record", "-"], { input: JSON.stringify(doc) });
  expect(r.code, r.stderr).toBe(0);
  ids[name] = r.stdout.trim();
}

beforeAll(async () => {
  dir = makeRepo({ commit: true });
  await recordDoc("small", { lr: 0.1, layers: 2, optimizer: { name: "adam" } }, { loss: 0.4, acc: 0.8, epoch_time: 10 });
  await recordDoc("large", { lr: 0.1, layers: 8, optimizer: { name: "adam" } }, { loss: 0.3, acc: 0.85, epoch_time: 40 });
  await recordDoc("wide", { lr: 0.01, layers: 4, optimizer: { name: "adam" } }, { loss: 0.35, acc: 0.85, epoch_time: 20, f1: 0.7 });
});

describe("git exp compare", () => {
  it("shows only the rows that differ, one column per experiment, best value marked", async () => {
    const r = await cli(dir, ["compare", "small", "large", "wide"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s+key\s+small\s+large\s+wide$/);
    expect(r.stdout).not.toContain("optimizer.name");
    const row = (key: string): string => lines.find((l) => l.includes(` ${key} `))!;
    expect(row("layers")).toMatch(/^param\s+layers\s+2\s+8\s+4$/);
    expect(row("loss")).toMatch(/^metric \(min\)\s+loss\s+0.4\s+0.3 \*\s+0.35$/);
    expect(row("acc")).toMatch(/^metric \(max\)\s+acc\s+0.8\s+0.85 \*\s+0.85 \*$/); // a tie marks both
    expect(row("epoch_time")).toMatch(/epoch_time\s+10 \*\s+40\s+20$/); // times: lower is better
    expect(row("f1")).toMatch(/f1\s+0.7$/); // only one experiment has it: nothing to mark
    expect(r.stderr).toMatch(/1 row with the same value everywhere hidden; --all shows them/);
  });

  it("--all keeps the rows that agree", async () => {
    const r = await cli(dir, ["compare", "small", "large", "--all"]);
    expect(r.stdout).toMatch(/param\s+optimizer.name\s+adam\s+adam/);
    expect(r.stdout).toMatch(/param\s+lr\s+0.1\s+0.1/);
  });

  it("--format md for a pull request: a Markdown table, best in bold", async () => {
    const r = await cli(dir, ["compare", "small", "large", "--format", "md"]);
    expect(r.stdout.split("\n")[0]).toBe("|  | key | small | large |");
    expect(r.stdout).toContain("| metric (min) | loss | 0.4 | **0.3** |");
    expect(r.stdout).toContain("| metric (max) | acc | 0.8 | **0.85** |");
  });

  it("--json gives the rows as data; csv stays plain", async () => {
    const j = JSON.parse((await cli(dir, ["compare", "small", "wide", "--json"])).stdout);
    expect(j.columns.map((c: { id: string }) => c.id)).toEqual([ids["small"], ids["wide"]]);
    expect(j.rows.find((r: { key: string }) => r.key === "loss")).toMatchObject({ kind: "metric", values: [0.4, 0.35], direction: "lower", best: [1] });
    const csv = (await cli(dir, ["compare", "small", "wide", "--format", "csv"])).stdout;
    expect(csv).toContain("metric (min),loss,0.4,0.35\n");
  });

  it("--minimize and --maximize override what a metric's name says", async () => {
    const r = await cli(dir, ["compare", "small", "large", "--maximize", "epoch_time", "--minimize", "acc"]);
    expect(r.stdout).toMatch(/metric \(max\)\s+epoch_time\s+10\s+40 \*/);
    expect(r.stdout).toMatch(/metric \(min\)\s+acc\s+0.8 \*\s+0.85$/m);
  });

  it("the same experiment twice, or experiments that agree: a clear 'no differences'", async () => {
    const r = await cli(dir, ["compare", "small", ids["small"]!.slice(0, 8)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\s+key\s+small\n(param|metric)/); // one column: everything shown
  });

  it("experiments with the same params and metrics say so", async () => {
    await recordDoc("copy", { lr: 0.1, layers: 2, optimizer: { name: "adam" } }, { loss: 0.4, acc: 0.8, epoch_time: 10 });
    const r = await cli(dir, ["compare", "small", "copy"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/same params and metrics: no differences/);
  });

  it("unknown or ambiguous experiments exit 3 with the library's error code", async () => {
    expect((await cli(dir, ["compare", "small", "nope"])).code).toBe(3);
    const store = new ExperimentStore(await openRepository(dir));
    await expect(compareSpecs(store, ["small", "nope"])).rejects.toMatchObject({ code: "ENOTFOUND" });
    await store.close();
    expect((await cli(dir, ["compare"])).code).toBe(2);
  });
});

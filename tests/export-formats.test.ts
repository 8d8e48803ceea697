import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, cli, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterEach(cleanup);

async function setup(): Promise<{ dir: string; ids: string[] }> {
  const dir = makeRepo({ commit: true });
  const ids: string[] = [];
  const configs = [
    { lr: 0.1, optimizer: { name: "adam", beta: 0.9 }, augment: true, seed: "18446744073709551615" },
    { lr: 0.01, optimizer: { name: "sgd", beta: 0.5 }, augment: false, layers: [64, 32] },
    { lr: 0.5, optimizer: { name: "sgd", beta: 0.1 }, augment: true },
  ];
  const results = ['{"acc": 0.9, "val": {"loss": 0.3}}', '{"acc": NaN, "val": {"loss": 0.2}}', '{"acc": 0.1}'];
  for (let i = 0; i < 3; i++) {
    const c = writeJson(dir, `c${i}.json`, i === 0 ? '{"lr":0.1,"optimizer":{"name":"adam","beta":0.9},"augment":true,"seed":18446744073709551615}' : configs[i]);
    const r = writeJson(dir, `r${i}.json`, results[i]);
    const out = await cli(dir, ["record", "--config", c, "--results", r, "--name", `run-${i}`, "--tag", "t"]);
    expect(out.code, out.stderr).toBe(0);
    ids.push(out.stdout.trim());
  }
  await cli(dir, ["rename", ids[0]!, "best"]);
  await cli(dir, ["tag", ids[0]!, "baseline"]);
  await cli(dir, ["rm", ids[2]!]);
  return { dir, ids };
}

describe("export", () => {
  it("csv: one row per live experiment, current name and tags, a column per param and metric", async () => {
    const { dir, ids } = await setup();
    const r = await cli(dir, ["export", "--format", "csv"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const header = lines[0]!.split(",");
    expect(header.slice(0, 3)).toEqual(["id", "name", "status"]);
    for (const col of ["params.lr", "params.optimizer.name", "params.seed", "params.layers", "metrics.acc", "metrics.val.loss"]) {
      expect(header).toContain(col);
    }
    expect(lines).toHaveLength(3); // the deleted one is left out
    const best = lines.find((l) => l.startsWith(ids[0]!))!;
    expect(best).toContain(",best,");
    expect(best).toContain('"baseline,t"');
    expect(best).toContain("18446744073709551615");
    const other = lines.find((l) => l.startsWith(ids[1]!))!;
    expect(other).toContain("NaN");
    expect(r.stdout).not.toContain(ids[2]!);
  });

  it("parquet: typed columns that DuckDB reads back", async () => {
    const { dir, ids } = await setup();
    const out = join(tempDir(), "exps.parquet");
    const r = await cli(dir, ["export", "--format", "parquet", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe("PAR1");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const types = await (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${out}')`)).getRowObjectsJson();
    const typeOf = (c: string): unknown => types.find((t) => t["column_name"] === c)?.["column_type"];
    expect(typeOf("params.lr")).toBe("DOUBLE");
    expect(typeOf("params.augment")).toBe("BOOLEAN");
    expect(typeOf("params.optimizer.name")).toBe("VARCHAR");
    expect(typeOf("metrics.acc")).toBe("DOUBLE");
    expect(typeOf("created_at")).toMatch(/^TIMESTAMP/);
    expect(typeOf("tags")).toBe("VARCHAR[]");
    const rows = await (
      await conn.runAndReadAll(
        `SELECT id, name, "params.lr" AS lr, "metrics.val.loss" AS loss, isnan("metrics.acc") AS nan, list_contains(tags, 'baseline') AS base FROM read_parquet('${out}') ORDER BY lr`,
      )
    ).getRowObjectsJson();
    conn.closeSync();
    db.closeSync();
    expect(rows).toEqual([
      { id: ids[1], name: "run-1", lr: 0.01, loss: 0.2, nan: true, base: false },
      { id: ids[0], name: "best", lr: 0.1, loss: 0.3, nan: false, base: true },
    ]);
  });

  it("ndjson leaves deleted experiments out and stays importable", async () => {
    const { dir, ids } = await setup();
    const out = join(tempDir(), "exps.ndjson");
    expect((await cli(dir, ["export", "-o", out])).code).toBe(0);
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual([ids[0], ids[1]].sort());
  });

  it("refuses parquet without -o and an unwritable destination, writing nothing", async () => {
    const { dir } = await setup();
    expect((await cli(dir, ["export", "--format", "parquet"])).code).toBe(2);
    const missing = join(tempDir(), "no", "such", "dir", "x.csv");
    const r = await cli(dir, ["export", "--format", "csv", "-o", missing]);
    expect(r.code).toBe(2);
    expect(existsSync(missing)).toBe(false);
    expect((await cli(dir, ["export", "--format", "xml"])).code).toBe(2);
  });
});

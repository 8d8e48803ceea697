import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEST_ENV, binary, cleanup, makeRepo } from "./helpers/repo.js";

/**
 * The bulk loader (DuckDB's JSON reader and SQL, for more than 64 new experiments) against
 * the row loader (JavaScript, value by value, for a few), on the same experiments: every
 * table must come out the same. The experiments are written byte for byte with git
 * fast-import, as another tool could write them: ties, NaN and infinities (as strings and
 * as Python's bare tokens), integers past 2^64, unicode and dotted keys, escapes, files
 * that are not canonical, and ones that fail their schema, which both leave out with the
 * same warning.
 */
const N = 100;
const CHUNK = 50; // at most RowLoader.FEW new refs per update: the row loader
let dir: string;
let ids: string[];

const canonical = (v: unknown): string => {
  const walk = (x: unknown): unknown =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, walk((x as Record<string, unknown>)[k])]))
      : x;
  return JSON.stringify(walk(v)) + "\n";
};

/** The files of experiment i, as raw text. */
function files(i: number): Record<string, string> {
  const meta = {
    schema: 1,
    status: i % 9 === 0 ? "failed" : "completed",
    created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    created_by: { name: "Other Tool", email: "other@example.org" },
    ...(i % 4 === 0 ? { name: `run-${i}`, tags: ["t", `g${i % 3}`] } : {}),
    ...(i % 5 === 0 ? { command: ["python", "train.py", "--lr=0.1", "a b"], exit_code: 0, duration_s: 1.5, message: "ünïcode\nline" } : {}),
    source: { commit: null, branch: i % 2 ? "main" : null, dirty: i % 3 === 0 },
    // a study's trials: a size, one that is not a whole number, none
    ...(i % 7 === 2 ? { sweep: { id: "s1", index: 1 + (i % 5), method: "grid", ...(i % 3 === 0 ? {} : { size: i % 2 ? 12 : 2.5 }) }, pruned: { rule: "hyperband", at_step: 3 } } : {}),
  };
  const out: Record<string, string> = { "experiment.json": canonical(meta) };
  // Integers past 2^53 and 2^64 must be written as digits: JSON.stringify cannot.
  const big = i % 6 === 0 ? `,"seed":${18446744073709551617n + BigInt(i)}` : `,"seed":${i % 5}`;
  const config = canonical({
    lr: [0.1, 0.01, 1e-7, 1e21][i % 4],
    model: { depth: i % 3, "ключ.ü": "значение", empty: {}, deep: { x: { y: i % 2 === 0 } } },
    list: [1, "two", null, { b: 2, a: 1 }],
    "quote\"key": 'va"l\\ue',
    nothing: null,
    neg: -0,
  });
  out["config.json"] = config.slice(0, -2) + big + "}\n";
  if (i % 7 === 3) out["config.json"] = `{"lr": 0.5,\n  "b": 1, "b": 2}\n`; // not canonical: spaces, newline, a key twice
  if (i % 11 === 5) out["config.json"] = canonical({ ctl: "a\u0001b", arr: ["x\u001fy"] }); // escapes: the row loader's
  if (i % 13 === 6) out["config.json"] = `{"lone":"\\ud800x"}\n`; // a lone surrogate
  const acc = [0.5, 0.75, 0.75, 0.9][i % 4]; // ties
  const results: Record<string, unknown> = { val: { acc, loss: i % 10 === 1 ? "NaN" : 1 / (i + 1) }, "val.f1": i % 3 ? 0.25 : null, inf: i % 8 === 2 ? "-Infinity" : 2 };
  if (i % 10 === 4) results["a"] = { b: 1 };
  if (i % 10 === 4) results["a.b"] = 2; // the same key path twice
  out["results.json"] = canonical(results);
  if (i % 12 === 7) out["results.json"] = `{"val": {"acc": NaN, "loss": Infinity}, "big": ${2n ** 70n}}\n`; // Python's bare tokens
  out["series/loss.json"] = canonical({ step: [0, 1, 2, 3], value: [3, 1, 1, i % 2 ? 2 : 1] });
  if (i % 3 === 1) out["series/val%2Facc.json"] = canonical({ step: [0, 10, 20], value: ["NaN", 0.5, 0.5], time: ["2026-01-01T00:00:00.000Z", "a", "b"] });
  if (i % 5 === 2) out["series/nulls.json"] = canonical({ step: [1, 2], value: [null, null] });
  if (i % 6 === 3) out["series/big.json"] = `{"step":[${2n ** 64n + 1n},2],"value":[-Infinity,NaN]}\n`;
  if (i % 8 === 5) out["series/pretty.json"] = `{\n  "step": [1, 2],\n  "value": [5, "Infinity"]\n}\n`;
  if (i % 9 === 4) out["series/empty.json"] = canonical({ step: [], value: [] });
  if (i % 10 === 6) out["series/esc.json"] = `{"step":[1],"value":["\\u004eaN"]}\n`;
  if (i % 4 === 1) out["env.json"] = canonical({ runtimes: { node: "20.1.0", python: null }, gpus: [{ name: "A100" }], vars: {} });
  if (i % 6 === 1) out["inputs.json"] = canonical({ "data/train.csv": { sha256: "ab".repeat(32), size: 12, rows: 3 }, "data/x": { size: 2 } });
  if (i % 6 === 2) out["outputs.json"] = canonical({ "model.bin": { sha256: "cd".repeat(32), size: 2 ** 40 } });
  // Schema violations: left out by both, with the same warning.
  if (i === 17) out["experiment.json"] = canonical({ ...meta, status: "weird" });
  if (i === 29) delete out["results.json"];
  if (i === 41) out["series/loss.json"] = canonical({ step: [1, 2], value: [1] });
  if (i === 53) out["results.json"] = canonical({ acc: "high" });
  if (i === 67) out["config.json"] = "[1, 2]\n";
  if (i === 79) out["config.json"] = "{not json\n";
  return out;
}

/** Every experiment in one fast-import stream, then its ref named by its commit id. */
function writeAll(): string[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const f = files(i);
    const seconds = 1767225600 + i * 60;
    const msg = `exp: ${i}\n\nConfig: 0\n`;
    chunks.push(Buffer.from(`commit refs/oracle/${i}\ncommitter Other Tool <other@example.org> ${seconds} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`));
    for (const [path, text] of Object.entries(f)) {
      const data = Buffer.from(text);
      chunks.push(Buffer.from(`M 100644 inline ${path}\ndata ${data.length}\n`), data, Buffer.from("\n"));
    }
  }
  const env = { ...process.env, ...TEST_ENV };
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, input: Buffer.concat(chunks), env });
  const listed = execFileSync("git", ["for-each-ref", "--format=%(refname) %(objectname)", "refs/oracle/"], { cwd: dir, encoding: "utf8", env });
  const byIndex = new Map(listed.trim().split("\n").map((l) => [Number(l.split(" ")[0]!.split("/").pop()), l.split(" ")[1]!]));
  return Array.from({ length: N }, (_, i) => byIndex.get(i)!);
}

function createRefs(list: string[]): void {
  const input = list.map((id) => `create refs/experiments/${id} ${id}\n`).join("");
  execFileSync("git", ["update-ref", "--stdin"], { cwd: dir, input, env: { ...process.env, ...TEST_ENV } });
}

const warnings = (stderr: string): string[] => stderr.split("\n").filter((l) => l.startsWith("warning: experiment ")).sort();

let rowWarnings: string[] = [];
let bulkWarnings: string[] = [];
const rowIndex = (): string => join(dir, "row-loader.duckdb");
const bulkIndex = (): string => join(dir, ".git", "exp", "index.duckdb");

beforeAll(() => {
  dir = makeRepo();
  ids = writeAll();
  // The row loader: the refs arrive a chunk at a time, each update loading at most 50.
  for (let k = 0; k < N; k += CHUNK) {
    createRefs(ids.slice(k, k + CHUNK));
    const r = binary(dir, ["index"]);
    expect(r.code, r.stderr).toBe(0);
    rowWarnings.push(...warnings(r.stderr));
  }
  copyFileSync(bulkIndex(), rowIndex());
  // The bulk loader: all of them at once.
  const r = binary(dir, ["index", "--rebuild"]);
  expect(r.code, r.stderr).toBe(0);
  bulkWarnings = warnings(r.stderr);
  rowWarnings = rowWarnings.sort();
}, 120_000);

afterAll(cleanup);

describe("the bulk loader against the row loader", () => {
  test("the same experiments are left out, with the same warnings", () => {
    expect(bulkWarnings.length).toBe(6);
    expect(bulkWarnings).toEqual(rowWarnings);
  });

  test("every table holds the same rows, and the values that are hard to get right are there", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      await c.run(`ATTACH '${rowIndex()}' AS r (READ_ONLY)`);
      await c.run(`ATTACH '${bulkIndex()}' AS b (READ_ONLY)`);
      const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      const differences: Record<string, unknown> = {};
      for (const table of ["experiments", "params", "metrics", "series", "tags", "env", "inputs", "outputs", "keys", "runs", "_recorded", "_hidden"]) {
        const [{ n }] = (await rows(`SELECT count(*)::INTEGER AS n FROM r.${table}`)) as [{ n: number }];
        expect(n, table).toBeGreaterThan(0);
        // EXCEPT ALL counts duplicates; NaN equals NaN in DuckDB's comparisons.
        const onlyIn = (a: string, b: string): Promise<unknown[]> => rows(`SELECT * FROM (SELECT * FROM ${a}.${table} EXCEPT ALL SELECT * FROM ${b}.${table}) LIMIT 5`);
        const [rowOnly, bulkOnly] = [await onlyIn("r", "b"), await onlyIn("b", "r")];
        if (rowOnly.length + bulkOnly.length > 0) differences[table] = { rowOnly, bulkOnly };
      }
      expect(differences).toEqual({});
      expect(await rows(`SELECT value, num FROM b.params WHERE key = 'seed' AND value LIKE '1844%' ORDER BY value LIMIT 1`)).toEqual([
        { value: "18446744073709551617", num: 18446744073709552000 },
      ]);
      expect(await rows(`SELECT DISTINCT value FROM b.params WHERE key = 'model.ключ.ü'`)).toEqual([{ value: "значение" }]);
      expect(await rows(`SELECT DISTINCT value, type FROM b.params WHERE key = 'list'`)).toEqual([{ value: '[1,"two",null,{"a":1,"b":2}]', type: "array" }]);
      expect(await rows(`SELECT count(*)::INTEGER AS n FROM b.metrics WHERE key = 'val.loss' AND isnan(value)`)).not.toEqual([{ n: 0 }]);
      expect(await rows(`SELECT DISTINCT argmin_step, min FROM b.metrics WHERE key = 'loss'`)).toEqual([{ argmin_step: 1, min: 1 }]);
      // a sweep's size that is a whole number is loaded; 2.5 and none are not sizes
      expect(await rows(`SELECT DISTINCT sweep_size::INTEGER AS size FROM b.experiments WHERE sweep_id = 's1' ORDER BY size NULLS FIRST`)).toEqual([{ size: null }, { size: 12 }]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});

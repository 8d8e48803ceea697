import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cleanup, cli, git, makeRepo } from "./helpers/repo.js";
import { fixtureDocs, importDocs, type Doc } from "./helpers/experiments.js";

afterAll(cleanup);

async function sql(dir: string, query: string): Promise<unknown[]> {
  const r = await cli(dir, ["sql", query, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown[];
}

/**
 * What an incremental update must leave exactly as a full build would: the derived tables,
 * and every row of the others (a few new runs are appended directly, a build is staged).
 */
async function derivedTables(dir: string): Promise<unknown[][]> {
  return [
    await sql(dir, "SELECT kind, key, type, experiments FROM keys ORDER BY ALL"),
    await sql(dir, "SELECT * FROM runs ORDER BY id"),
    ...(await Promise.all(
      ["experiments", "params", "metrics", "series", "tags", "env", "_recorded"].map((t) => sql(dir, `SELECT * FROM ${t} ORDER BY ALL`)),
    )),
  ];
}

describe("incremental updates touch only what changed, and agree with a full build", () => {
  test("keys and runs after added experiments, a changed param type and a new tag", async () => {
    const dir = makeRepo({ commit: true });
    const docs = fixtureDocs(80);
    const flagged = (name: string, flag: boolean, loss: number | string): Doc => ({
      experiment: { name, created_at: "2026-01-20T00:00:00.000Z" },
      config: { lr: 0.01, flag, model: { layers: 1, act: "relu" } },
      results: { val: { acc: "NaN" }, loss },
    });
    // Over 64 experiments: the first build stages its rows; the updates append theirs.
    await importDocs(dir, [...docs.slice(0, 70), flagged("flag-on", true, 0.5)]);
    expect((await cli(dir, ["index"])).code).toBe(0);
    // One at a time, as runs arrive: each update recounts only the keys the new run carries,
    // and appends its runs row directly (a boolean param, NaN metrics, a 2^64-1 seed).
    for (const d of [...docs.slice(70, 72), docs[78]!, flagged("flag-off", false, "NaN")]) {
      await importDocs(dir, [d]);
      expect((await cli(dir, ["index"])).code).toBe(0);
    }
    const odd: Doc = {
      experiment: { name: "odd", created_at: "2026-02-01T00:00:00.000Z", tags: ["late"] },
      // lr was a number everywhere: one text value makes the key text.
      config: { lr: "warmup", brand_new: true },
      results: { val: { acc: 0.42 }, extra: 1 },
    };
    await importDocs(dir, [odd]);
    expect((await cli(dir, ["index"])).code).toBe(0);
    // A param null everywhere so far, then a number; a boolean param meeting a null.
    const late = (name: string, config: Doc["config"]): Doc => ({ experiment: { name, created_at: "2026-02-02T00:00:00.000Z" }, config, results: { extra: 2 } });
    await importDocs(dir, [late("null-first", { sometimes: null, brand_new: null })]);
    expect((await cli(dir, ["index"])).code).toBe(0);
    await importDocs(dir, [late("number-next", { sometimes: 3 })]);
    expect((await cli(dir, ["index"])).code).toBe(0);
    const incremental = await derivedTables(dir);
    expect(incremental[0]).toContainEqual({ kind: "param", key: "sometimes", type: "number", experiments: 2 });
    expect(incremental[0]).toContainEqual({ kind: "param", key: "brand_new", type: "boolean", experiments: 2 });
    expect(incremental[0]).toContainEqual({ kind: "param", key: "lr", type: "text", experiments: 76 });
    expect(incremental[0]).toContainEqual({ kind: "tag", key: "late", type: "text", experiments: 1 });
    expect((await cli(dir, ["index", "--rebuild"])).code).toBe(0);
    expect(await derivedTables(dir)).toEqual(incremental);
  }, 60_000);

  test("new loose refs, removed ones, packing and a corrupt ref, in any order, as a full build sees them", async () => {
    const dir = makeRepo({ commit: true });
    const docs = fixtureDocs(12);
    await importDocs(dir, docs.slice(0, 6));
    git(dir, ["pack-refs", "--all"]);
    const names = async (): Promise<string[]> => ((await sql(dir, "SELECT name FROM experiments ORDER BY name")) as { name: string }[]).map((r) => r.name);
    expect(await names()).toHaveLength(6);
    await importDocs(dir, [docs[6]!]); // a loose ref next to packed ones
    expect(await names()).toContain("exp-6");
    await importDocs(dir, [docs[7]!]);
    expect(await names()).toHaveLength(8);
    const gone = (await sql(dir, "SELECT id FROM experiments WHERE name = 'exp-6'")) as { id: string }[];
    git(dir, ["update-ref", "-d", `refs/experiments/${gone[0]!.id}`]); // plain git, not rm
    expect(await names()).not.toContain("exp-6");
    git(dir, ["pack-refs", "--all"]);
    await importDocs(dir, [docs[8]!]);
    // A packed ref written again as a loose file (same target, as another tool may write
    // it): already indexed, not added twice.
    const seven = ((await sql(dir, "SELECT id FROM experiments WHERE name = 'exp-7'")) as { id: string }[])[0]!.id;
    writeFileSync(join(dir, ".git", "refs", "experiments", seven), `${seven}\n`);
    expect(git(dir, ["for-each-ref", `refs/experiments/${seven}`])).toContain(seven);
    expect(await names()).toHaveLength(8);
    const target = gone[0]!.id;
    git(dir, ["update-ref", `refs/experiments/${"e".repeat(40)}`, target]);
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.stderr).toMatch(/corrupt ref/);
    expect(JSON.parse(ls.stdout)).toHaveLength(8);
    const incremental = await derivedTables(dir);
    expect((await cli(dir, ["index", "--rebuild"])).code).toBe(0);
    expect(await derivedTables(dir)).toEqual(incremental);
  }, 60_000);
});

import { readdirSync, readFileSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { TEST_ENV, cleanup, cli, git, makeRepo, repoSnapshot } from "./helpers/repo.js";
import { fixtureDocs, importDocs } from "./helpers/experiments.js";
import { refsSettled } from "./helpers/wait.js";
import { openRepository } from "../src/store/repository.js";
import { appendAnnotations } from "../src/store/annotations.js";
import { IndexDatabase } from "../src/index/database.js";
import { parseFilter } from "../src/core/filter.js";
import { InvalidInputError } from "../src/core/errors.js";

afterAll(cleanup);

const who = { name: "Ada Lovelace", email: "ada@example.com" };

async function lsNames(dir: string, extra: string[] = []): Promise<string[]> {
  const r = await cli(dir, ["ls", "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name).sort();
}

async function indexReport(dir: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const r = await cli(dir, ["index", "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** An experiment written with plain git plumbing, as another tool might: here one that fails its schema. */
function plumbingExperiment(dir: string, status: string): string {
  const run = (args: string[], input: string): string =>
    execFileSync("git", args, { cwd: dir, input, encoding: "utf8", env: { ...process.env, ...TEST_ENV } }).trim();
  const blob = (text: string): string => run(["hash-object", "-w", "--stdin"], text);
  const meta = blob(`{"created_at":"2026-01-01T00:00:00.000Z","created_by":{"email":"x@example.com","name":"X"},"schema":1,"status":"${status}"}\n`);
  const tree = run(
    ["mktree"],
    `100644 blob ${blob("{}\n")}\tconfig.json\n100644 blob ${meta}\texperiment.json\n100644 blob ${blob('{"acc":1}\n')}\tresults.json\n`,
  );
  const commit = run(["commit-tree", tree, "-m", "exp: other tool"], "");
  git(dir, ["update-ref", `refs/experiments/${commit}`, commit]);
  return commit;
}

describe("incremental sync", () => {
  test("adds new experiments, drops removed ones, and does nothing when nothing changed", async () => {
    const dir = makeRepo({ commit: true });
    const docs = fixtureDocs(30);
    await importDocs(dir, docs.slice(0, 20));
    expect((await indexReport(dir))["added"]).toBe(20);
    expect(await indexReport(dir)).toMatchObject({ upToDate: true, total: 20, added: 0 });
    await importDocs(dir, docs.slice(20));
    expect(await indexReport(dir)).toMatchObject({ added: 10, removed: 0, total: 30 });
    const rm = await cli(dir, ["rm", "exp-3"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(await lsNames(dir)).not.toContain("exp-3");
    expect((await lsNames(dir)).length).toBe(29);
    const rebuilt = await indexReport(dir, ["--rebuild"]);
    expect(rebuilt).toMatchObject({ rebuilt: true, added: 29, total: 29 });
  });

  test("annotations: tags, renames and deletes show their current state; restore brings one back", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(5));
    expect(await lsNames(dir)).toHaveLength(5);
    const repo = await openRepository(dir);
    const ids = JSON.parse((await cli(dir, ["ls", "--json"])).stdout) as { id: string; name: string }[];
    const id = (name: string): string => ids.find((e) => e.name === name)!.id;
    await appendAnnotations(repo, id("exp-1"), [
      { op: "tag", at: "2026-02-01T00:00:00.000Z", by: who, tag: "best" },
      { op: "rename", at: "2026-02-01T00:00:01.000Z", by: who, name: "champion" },
    ]);
    await appendAnnotations(repo, id("exp-2"), [{ op: "delete", at: "2026-02-01T00:00:00.000Z", by: who }]);
    await appendAnnotations(repo, id("exp-0"), [{ op: "untag", at: "2026-02-01T00:00:00.000Z", by: who, tag: "baseline" }]);
    expect(await lsNames(dir)).toEqual(["champion", "exp-0", "exp-3", "exp-4"]);
    expect(await lsNames(dir, ["--tag", "best"])).toEqual(["champion"]);
    expect(await lsNames(dir, ["--where", "tags.baseline"])).toEqual([]);
    const sql = await cli(dir, ["sql", "SELECT name FROM runs WHERE id = '" + id("exp-1") + "'", "--json"]);
    expect(JSON.parse(sql.stdout)).toEqual([{ name: "champion" }]);
    await appendAnnotations(repo, id("exp-2"), [{ op: "restore", at: "2026-02-02T00:00:00.000Z", by: who }]);
    expect(await lsNames(dir)).toEqual(["champion", "exp-0", "exp-2", "exp-3", "exp-4"]);
    // A from-scratch build folds the same events to the same state.
    await indexReport(dir, ["--rebuild"]);
    expect(await lsNames(dir, ["--tag", "best"])).toEqual(["champion"]);
  });

  test("an experiment failing its schema is left out with a warning naming it", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(3));
    const bad = plumbingExperiment(dir, "exploded");
    const r = await cli(dir, ["ls", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
    expect(r.stderr).toContain(bad.slice(0, 12));
    const status = await cli(dir, ["index", "--status", "--json"]);
    expect(JSON.parse(status.stdout).hidden.invalid.map((i: { id: string }) => i.id)).toEqual([bad]);
  });
});

describe("a damaged or foreign index is rebuilt, nothing lost", () => {
  test("garbage, truncation and another format version", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(12));
    expect(await lsNames(dir)).toHaveLength(12);
    const path = join(dir, ".git", "exp", "index.duckdb");
    /** ls still lists every experiment, with the note saying why the index was rebuilt. */
    const listsAll = async (n: number, note?: RegExp): Promise<void> => {
      const r = await cli(dir, ["ls", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveLength(n);
      if (note) expect(r.stderr).toMatch(note);
    };
    const setFormat = async (format: string): Promise<void> => {
      const db = await IndexDatabase.open(path, { readOnly: false, timeoutMs: 1000 });
      await db.run("UPDATE _meta SET value = $1 WHERE key = 'format'", [format]);
      db.close();
    };
    writeFileSync(path, "this is not a database");
    await listsAll(12, /note: .*damaged.*rebuilding/);
    truncateSync(path, Math.floor(statSync(path).size / 3));
    await listsAll(12);
    await setFormat("0");
    await listsAll(12, /note: the index has format 0/);
    expect(readFileSync(path).length).toBeGreaterThan(0);
    // The hint beside the index (the refs it was last synced to) sends an update straight to
    // writing when refs moved: a file that is no longer an index of ours is still rebuilt.
    await importDocs(dir, fixtureDocs(14).slice(12));
    writeFileSync(path, "this is not a database either");
    await listsAll(14, /note: .*damaged.*rebuilding/);
    await importDocs(dir, fixtureDocs(15).slice(14));
    await setFormat("0");
    await listsAll(15, /note: the index has format 0/);
    // A build killed half way leaves its file behind; the next build clears it.
    writeFileSync(`${path}.tmp-999999`, "half a build");
    writeFileSync(`${path}.tmp-999999.wal`, "");
    const r = await cli(dir, ["index", "--rebuild"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, ".git", "exp")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("damage deep in the index file, found by a query rather than by opening it", () => {
  test("the command rebuilds the index, says so, and answers in full", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(180));
    expect(await lsNames(dir)).toHaveLength(180);
    const path = join(dir, ".git", "exp", "index.duckdb");
    // The blocks holding the series table's values: read by a query, never by opening.
    const db = await IndexDatabase.open(path, { readOnly: true, timeoutMs: 1000 });
    const blocks = (await db.rows("SELECT DISTINCT block_id FROM pragma_storage_info('series') WHERE block_id >= 0 AND column_name = 'value'")).map((r) => Number(r["block_id"]));
    db.close();
    expect(blocks.length).toBeGreaterThan(0);
    const bytes = readFileSync(path);
    // DuckDB's file: three 4 KiB headers, then 256 KiB blocks, each starting with its checksum.
    for (const b of blocks) bytes.fill(0x5a, 3 * 4096 + b * (1 << 18) + 64, 3 * 4096 + b * (1 << 18) + 4096);
    writeFileSync(path, bytes);
    // Reading every value of every table reaches the damaged blocks.
    const everything = ["experiments", "params", "metrics", "series", "runs"].map((t) => `(SELECT count(*) FROM (SELECT DISTINCT * FROM ${t}))`).join(" + ");
    const sql = await cli(dir, ["sql", `SELECT ${everything} > 0 AS ok`, "--format", "csv"]);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toBe("ok\ntrue\n");
    expect(sql.stderr).toMatch(/note: the index is damaged .*; rebuilding it from the experiment refs/);
    const r = await cli(dir, ["ls", "--json", "-n", "500"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(180);
  });
});

describe("bad input is refused before anything is written", () => {
  test("filters, keys, options: clear errors with the right exit code", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(8));
    // Past the moment where a just-written ref could hide behind unchanged stats.
    await refsSettled(dir);
    await indexReport(dir);
    const before = repoSnapshot(dir);
    const indexBytes = readFileSync(join(dir, ".git", "exp", "index.duckdb"));
    const cases: [string[], number, RegExp][] = [
      [["ls", "--where", "params.lr <"], 2, /column 12/],
      [["ls", "--where", "(params.lr < 1"], 2, /expected '\)'/],
      [["ls", "--where", "params.lr < 'x"], 2, /closing '/],
      [["ls", "--where", "metrics.val.acc like 'a%'"], 2, /numbers/],
      [["ls", "--where", "params.lrr < 1"], 3, /params\.lr/],
      [["ls", "--where", "colour = 'red'"], 3, /no experiment has the key 'colour'/],
      [["ls", "--sort", "metrics.nope"], 3, /metrics\.nope/],
      [["ls", "--columns", "params.nope"], 3, /params\.nope/],
      [["ls", "--status", "exploded"], 2, /status/],
      [["ls", "--since", "yesterday-ish"], 2, /since/],
      [["top", "val.acc", "--max", "--min"], 2, /not both/],
      [["top", "nope"], 3, /nope/],
      [["trend", "val.acc", "--along", "no-such-branch"], 3, /no-such-branch/],
      [["sql", "DROP TABLE experiments"], 2, /only reads/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(dir, args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(repoSnapshot(dir)).toBe(before);
    expect(readFileSync(join(dir, ".git", "exp", "index.duckdb")).equals(indexBytes)).toBe(true);
  });

  test("GIT_EXP_INDEX_MEMORY caps the writer: a size builds the index, anything else is refused with nothing written", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(4));
    const bad = await cli(dir, ["index"], { env: { GIT_EXP_INDEX_MEMORY: "lots" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/GIT_EXP_INDEX_MEMORY is 'lots': give a size such as 512MB or 2GB/);
    expect(readdirSync(join(dir, ".git", "exp")).filter((n) => n.startsWith("index.duckdb"))).toEqual([]);
    const r = await cli(dir, ["index", "--rebuild", "--json"], { env: { GIT_EXP_INDEX_MEMORY: "64MB" } });
    expect(r.code, r.stderr).toBe(0);
    expect(await lsNames(dir)).toHaveLength(4);
  });

  test("the parser reports the column where it failed", () => {
    const at = (text: string): number | undefined => {
      try {
        parseFilter(text);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as InvalidInputError).where?.column;
      }
      return undefined;
    };
    expect(at("metrics.acc > 0.9 and")).toBe(22);
    expect(at("metrics.acc >> 1")).toBe(14);
    expect(at("params.lr in 0.1")).toBe(14);
    expect(at("a is nul")).toBe(6);
    expect(at("")).toBe(1);
    expect(parseFilter("not tags.x or params.a = 1 and params.b = 2")).toMatchObject({
      kind: "or",
      left: { kind: "not" },
      right: { kind: "and" },
    });
  });

  test("keys: a doubled back tick inside back ticks stands for one; emoji need no quotes", () => {
    expect(parseFilter("params.`we``ird` = 1")).toMatchObject({ kind: "compare", key: { key: "params.we`ird" } });
    expect(parseFilter("params.emoji🙂 = 7")).toMatchObject({ kind: "compare", key: { key: "params.emoji🙂" } });
    expect(() => parseFilter("params.a = 1 § 2")).toThrow(/unexpected character "§"/);
    expect(parseFilter("created > 3mo")).toMatchObject({ value: { kind: "duration", ms: 3 * 30 * 86_400_000 } });
    expect(parseFilter("created > 30m")).toMatchObject({ value: { kind: "duration", ms: 30 * 60_000 } });
    // The caret sits under the second > as a terminal shows the line: 模型 is four columns wide.
    expect(() => parseFilter("params.模型 >> 1")).toThrow(/\n  params\.模型 >> 1\n {15}\^$/);
  });
});

describe("trend --along", () => {
  test("walks first-parent history and shows the best run per commit", async () => {
    const dir = makeRepo({ commit: true });
    const docsOn = async (acc: number[]): Promise<void> => {
      const head = git(dir, ["rev-parse", "HEAD"]).trim();
      // import keeps a document's source as given: say which commit each run came from
      const source = { commit: head, branch: "main", dirty: false };
      const docs = fixtureDocs(acc.length).map((d, i) => ({ ...d, experiment: { ...d.experiment, source, name: `run-${head.slice(0, 7)}-${i}` }, results: { val: { acc: acc[i] } } }));
      await importDocs(dir, docs);
    };
    await docsOn([0.5, 0.6]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", "second"]);
    await docsOn([0.7]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", "third"]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", "fourth"]);
    await docsOn([0.65, 0.66]);
    const r = await cli(dir, ["trend", "val.acc", "--along", "main", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout) as { points: { subject: string; best: number; count: number }[] };
    expect(t.points.map((p) => [p.subject, p.count, p.best])).toEqual([
      ["first", 2, 0.6],
      ["second", 1, 0.7],
      ["fourth", 2, 0.66],
    ]);
    const table = await cli(dir, ["trend", "val.acc", "--along", "main"]);
    expect(table.stdout).toMatch(/per commit along main/);
  });
});


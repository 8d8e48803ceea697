import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cleanup, git, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

const DATE = { GIT_AUTHOR_DATE: "2026-11-23T10:00:00.123Z" };

async function recordIn(dir: string, config: unknown, results: unknown, extra: string[] = [], env = DATE): Promise<string> {
  const c = writeJson(dir, "config.json", config);
  const r = writeJson(dir, "results.json", results);
  const res = await cli(dir, ["record", "--config", c, "--results", r, ...extra], { env });
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return res.stdout.trim();
}

describe("the stored format, as plain git sees it", () => {
  it("writes canonical blobs whose ids git agrees with, and a clean fsck", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordIn(dir, { seed: 18446744073709551615n.toString(), lr: 1.0e-3, b: { z: 1, a: 2 } }, { acc: 0.5 }, ["--name", "first"]);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    const config = git(dir, ["cat-file", "-p", `${id}:config.json`]);
    expect(config).toBe('{"b":{"a":2,"z":1},"lr":0.001,"seed":"18446744073709551615"}\n');
    const entry = git(dir, ["ls-tree", id, "config.json"]).split(/\s+/)[2];
    const hashed = execFileSync("git", ["hash-object", "--stdin"], { cwd: dir, input: config, encoding: "utf8" }).trim();
    expect(hashed).toBe(entry);
    expect(git(dir, ["cat-file", "-t", id]).trim()).toBe("commit");
    expect(git(dir, ["rev-parse", `refs/experiments/${id}`]).trim()).toBe(id);
    git(dir, ["fsck", "--strict", "--no-dangling"]);
  });

  it("builds the commit of DESIGN.md: parent = source commit, fixed identity and time, derived message", async () => {
    const dir = makeRepo({ commit: true });
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const id = await recordIn(dir, { lr: 0.1 }, { acc: 1 }, ["--name", "named run"]);
    const body = git(dir, ["cat-file", "commit", id]);
    const configHash = git(dir, ["rev-parse", `${id}:config.json`]).trim();
    expect(body).toContain(`parent ${head}\n`);
    expect(body).toContain("author Ada Lovelace <ada@example.com> 1795428000 +0000\n");
    expect(body).toContain("committer Ada Lovelace <ada@example.com> 1795428000 +0000\n");
    expect(body.endsWith(`\n\nexp: named run\n\nConfig: ${configHash}\n`)).toBe(true);
    const meta = JSON.parse(git(dir, ["cat-file", "-p", `${id}:experiment.json`])) as Record<string, unknown>;
    expect(meta["created_at"]).toBe("2026-11-23T10:00:00.123Z");
    expect(meta["source"]).toEqual({ branch: "main", commit: head, dirty: false });
  });

  it("names an unnamed experiment by the first 12 hex of its config hash", async () => {
    const dir = makeRepo();
    const id = await recordIn(dir, { lr: 0.1 }, { acc: 1 });
    const configHash = git(dir, ["rev-parse", `${id}:config.json`]).trim();
    expect(git(dir, ["log", "-1", "--format=%s", id]).trim()).toBe(`exp: ${configHash.slice(0, 12)}`);
  });

  it("records in a repository without commits: no parent, and show says so", async () => {
    const dir = makeRepo();
    const id = await recordIn(dir, { lr: 0.1 }, { acc: 1 });
    expect(git(dir, ["cat-file", "commit", id])).not.toContain("parent ");
    const show = await cli(dir, ["show", id.slice(0, 8)]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Source:\s+none/);
  });

  it("works in a SHA-256 repository with 64-hex ids", async () => {
    const dir = makeRepo({ objectFormat: "sha256", commit: true });
    const id = await recordIn(dir, { lr: 0.1 }, { acc: 1 }, ["--name", "sha256"]);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(git(dir, ["rev-parse", `${id}:config.json`]).trim()).toMatch(/^[0-9a-f]{64}$/);
    git(dir, ["fsck", "--strict", "--no-dangling"]);
    const show = await cli(dir, ["show", "sha256", "--json"]);
    expect(JSON.parse(show.stdout).id).toBe(id);
  });
});

describe("determinism and idempotence", () => {
  it("gives the same id in two fresh repositories, whatever the key order and number spelling", async () => {
    const a = makeRepo();
    const b = makeRepo();
    const idA = await recordIn(a, { lr: 0.001, layers: [1, 2], opt: { m: 0.9, name: "sgd" } }, { acc: 0.9, loss: 1 }, ["--name", "x"]);
    const idB = await recordIn(b, '{"opt": {"name": "sgd", "m": 9e-1}, "layers": [1.0, 2], "lr": 1E-3}', '{"loss": 1.0, "acc": 0.90}', ["--name", "x"]);
    expect(idB).toBe(idA);
  });

  it("recording the same content again changes nothing and says so", async () => {
    const dir = makeRepo({ commit: true });
    const first = await recordIn(dir, { lr: 0.1 }, { acc: 1 });
    const refsBefore = git(dir, ["for-each-ref"]);
    const c = writeJson(dir, "config.json", { lr: 0.1 });
    const r = writeJson(dir, "results.json", { acc: 1 });
    const again = await cli(dir, ["record", "--config", c, "--results", r], { env: DATE });
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(first);
    expect(again.stderr).toMatch(/already recorded/);
    expect(git(dir, ["for-each-ref"])).toBe(refsBefore);
  });

  it("GIT_AUTHOR_DATE in git's own formats fixes created_at", async () => {
    const dir = makeRepo();
    const id = await recordIn(dir, { a: 1 }, { b: 2 }, [], { GIT_AUTHOR_DATE: "@1795428000 +0200" });
    const meta = JSON.parse(git(dir, ["cat-file", "-p", `${id}:experiment.json`])) as { created_at: string };
    expect(meta.created_at).toBe("2026-11-23T10:00:00.000Z");
  });
});

describe("naming experiments", () => {
  it("resolves by full id, prefix, name and full ref; an ambiguous name lists the candidates", async () => {
    const dir = makeRepo();
    const a = await recordIn(dir, { a: 1 }, { x: 1 }, ["--name", "same"]);
    const b = await recordIn(dir, { a: 2 }, { x: 1 }, ["--name", "same"]);
    const c = await recordIn(dir, { a: 3 }, { x: 1 }, ["--name", "unique"]);
    for (const spec of [c, c.slice(0, 6), "unique", `refs/experiments/${c}`]) {
      const r = await cli(dir, ["show", spec, "--json"]);
      expect(r.code, spec).toBe(0);
      expect(JSON.parse(r.stdout).id).toBe(c);
    }
    const amb = await cli(dir, ["show", "same"]);
    expect(amb.code).toBe(3);
    expect(amb.stderr).toContain(a.slice(0, 12));
    expect(amb.stderr).toContain(b.slice(0, 12));
    const missing = await cli(dir, ["show", "nothing-like-this"]);
    expect(missing.code).toBe(3);
  });

  it("resolves id prefixes from packed-refs and loose refs without listing them: ambiguity, deleted notes at any fanout, corrupt refs", async () => {
    const dir = makeRepo();
    const packed = await recordIn(dir, { packed: 1 }, { x: 1 });
    // 600 more refs, plain commits made by git itself: a few 4-hex prefixes are shared by two ids.
    const stream = Array.from({ length: 600 }, (_, i) => `commit refs/heads/many\nmark :${i + 1}\ncommitter T <t@x> 1700000000 +0000\ndata ${String(i).length}\n${i}\n`).join("");
    const marks = join(tempDir(), "marks");
    execFileSync("git", ["fast-import", "--quiet", `--export-marks=${marks}`], { cwd: dir, input: stream });
    const many = readFileSync(marks, "utf8").trim().split("\n").map((l) => l.split(" ")[1]!);
    execFileSync("git", ["update-ref", "--stdin"], { cwd: dir, input: many.map((id) => `create refs/experiments/${id} ${id}\n`).join("") });
    git(dir, ["pack-refs", "--all"]);
    expect(readFileSync(join(dir, ".git", "packed-refs"), "utf8")).toContain(`refs/experiments/${packed}`);
    const byPrefix = new Map<string, string[]>();
    for (const id of many) byPrefix.set(id.slice(0, 4), [...(byPrefix.get(id.slice(0, 4)) ?? []), id]);
    const shared = [...byPrefix.values()].find((v) => v.length > 1)!;
    const amb = await cli(dir, ["show", shared[0]!.slice(0, 4)]);
    expect(amb.code).toBe(3);
    for (const id of shared) expect(amb.stderr).toContain(id.slice(0, 12));
    // a packed experiment by prefix and by full id, a loose one by an upper-case prefix
    const loose = await recordIn(dir, { loose: 1 }, { x: 1 });
    for (const [spec, id] of [
      [packed.slice(0, 8), packed],
      [packed, packed],
      [loose.slice(0, 8).toUpperCase(), loose],
    ]) {
      const r = await cli(dir, ["show", spec!, "--json"]);
      expect(r.code, `${spec}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).id).toBe(id);
    }
    const cmp = await cli(dir, ["compare", packed.slice(0, 8), loose.slice(0, 8), "--json"]);
    expect(cmp.code, cmp.stderr).toBe(0);
    // A delete event in a notes tree with one level of fanout (ab/<rest>), as git writes it past ~256 notes.
    const note = execFileSync("git", ["hash-object", "-w", "--stdin"], {
      cwd: dir,
      input: '{"at":"2026-11-23T10:00:00.000Z","by":{"email":"t@x","name":"T"},"op":"delete"}\n',
      encoding: "utf8",
    }).trim();
    const sub = execFileSync("git", ["mktree"], { cwd: dir, input: `100644 blob ${note}\t${packed.slice(2)}\n`, encoding: "utf8" }).trim();
    const top = execFileSync("git", ["mktree"], { cwd: dir, input: `040000 tree ${sub}\t${packed.slice(0, 2)}\n`, encoding: "utf8" }).trim();
    git(dir, ["update-ref", "refs/notes/experiments", git(dir, ["commit-tree", top, "-m", "notes"]).trim()]);
    const deleted = await cli(dir, ["show", packed.slice(0, 8)]);
    expect(deleted.code).toBe(3);
    expect(deleted.stderr).toContain("git exp restore");
    expect((await cli(dir, ["show", packed.slice(0, 8), "--deleted"])).code).toBe(0);
    // A packed ref whose name is not its target is never followed.
    git(dir, ["update-ref", `refs/experiments/${"f".repeat(40)}`, packed]);
    git(dir, ["pack-refs", "--all"]);
    expect((await cli(dir, ["show", "ffff"])).code).toBe(3);
  });

  it("reports a ref whose name is not its target and never follows it", async () => {
    const dir = makeRepo();
    const a = await recordIn(dir, { a: 1 }, { x: 1 }, ["--name", "good"]);
    git(dir, ["update-ref", `refs/experiments/${"f".repeat(40)}`, a]);
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toHaveLength(1);
    expect(ls.stderr).toMatch(/corrupt ref/);
  });
});

describe("experiments written by other tools", () => {
  it("reads an experiment made with plain git plumbing and only the required fields", async () => {
    const dir = makeRepo();
    const blob = (text: string): string =>
      execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, input: text, encoding: "utf8" }).trim();
    const meta = blob('{"created_at":"2026-01-02T03:04:05.000Z","created_by":{"email":"t@x","name":"Tool"},"extra_key":{"kept":true},"schema":1,"status":"failed"}\n');
    const config = blob('{"lr":0.5}\n');
    const results = blob('{"loss":"NaN"}\n');
    const tree = execFileSync("git", ["mktree"], {
      cwd: dir,
      input: `100644 blob ${config}\tconfig.json\n100644 blob ${meta}\texperiment.json\n100644 blob ${results}\tresults.json\n`,
      encoding: "utf8",
    }).trim();
    const commit = execFileSync("git", ["commit-tree", tree, "-m", `exp: ${config.slice(0, 12)}\n\nConfig: ${config}`], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_NAME: "Tool", GIT_AUTHOR_EMAIL: "t@x", GIT_AUTHOR_DATE: "@1767323045 +0000", GIT_COMMITTER_NAME: "Tool", GIT_COMMITTER_EMAIL: "t@x", GIT_COMMITTER_DATE: "@1767323045 +0000" },
    }).trim();
    git(dir, ["update-ref", `refs/experiments/${commit}`, commit]);
    const show = await cli(dir, ["show", commit.slice(0, 7)]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Status:\s+failed/);
    expect(show.stdout).toMatch(/loss\s+NaN/);
    const json = JSON.parse((await cli(dir, ["show", commit, "--json"])).stdout);
    expect(json.experiment.extra_key).toEqual({ kept: true });
    // our own writer computes the very same commit for that content
    const exported = (await cli(dir, ["export"])).stdout;
    const other = makeRepo();
    writeFileSync(join(other, "in.ndjson"), exported);
    await cli(other, ["import", "in.ndjson"]);
    expect(git(other, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).trim()).toBe(commit);
  });
});

describe("rm", () => {
  it("hides the experiment with a delete event; --purge also deletes the ref; git fsck stays clean", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordIn(dir, { a: 1 }, { x: 1 }, ["--name", "gone"]);
    const r = await cli(dir, ["rm", "gone"]);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(dir, ["show", id])).code).toBe(3);
    expect(git(dir, ["notes", "--ref=refs/notes/experiments", "show", id])).toMatch(/"op":"delete"/);
    const purge = await cli(dir, ["rm", "--purge", id]);
    expect(purge.code, purge.stderr).toBe(0);
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).toBe("");
    git(dir, ["fsck", "--strict", "--no-dangling"]);
  });

  it("deletes nothing when one of the names does not resolve", async () => {
    const dir = makeRepo();
    await recordIn(dir, { a: 1 }, { x: 1 }, ["--name", "keep"]);
    const r = await cli(dir, ["rm", "keep", "missing-name"]);
    expect(r.code).toBe(3);
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).not.toBe("");
  });
});

describe("export and import", () => {
  it("round-trips losslessly: identical bytes and identical ids", async () => {
    const a = makeRepo();
    const dir = tempDir();
    writeFileSync(join(dir, "s.jsonl"), '{"step":1,"loss":0.5}\n{"step":2,"loss":NaN,"val":{"acc":0.7}}\n');
    await recordIn(a, { seed: 1, big: "x" }, '{"acc": 0.9, "nan": NaN, "inf": -Infinity}', ["--name", "one", "--tag", "t1", "--series", join(dir, "s.jsonl")]);
    await recordIn(a, { seed: 2 }, { acc: 0.8, nested: { deep: { x: 1 } } }, ["--message", "line1\nline2"]);
    const first = (await cli(a, ["export"])).stdout;
    expect(first.split("\n").filter(Boolean)).toHaveLength(2);
    const b = makeRepo();
    writeFileSync(join(b, "x.ndjson"), first);
    const imp = await cli(b, ["import", "x.ndjson"]);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/2 new/);
    const second = (await cli(b, ["export"])).stdout;
    expect(second).toBe(first);
    expect(git(b, ["for-each-ref"])).toBe(git(a, ["for-each-ref"]));
    git(b, ["fsck", "--strict", "--no-dangling"]);
  });

  it("keeps ids when the source commits are present (a clone), and says when they are not", async () => {
    const a = makeRepo({ commit: true });
    const id = await recordIn(a, { lr: 0.1 }, { acc: 1 });
    const exported = (await cli(a, ["export"])).stdout;
    const clone = tempDir();
    git(clone, ["clone", "-q", a, "c"]);
    const c = join(clone, "c");
    writeFileSync(join(clone, "x.ndjson"), exported);
    await cli(c, ["import", join(clone, "x.ndjson")]);
    expect(git(c, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).trim()).toBe(id);
    const empty = makeRepo();
    const imp = await cli(empty, ["import", join(clone, "x.ndjson")]);
    expect(imp.code).toBe(0);
    expect(imp.stderr).toMatch(/new id/);
  });

  it("reports a bad line with its number, writes nothing of it, and imports the others", async () => {
    const a = makeRepo();
    await recordIn(a, { seed: 1 }, { acc: 0.9 });
    await recordIn(a, { seed: 2 }, { acc: 0.8 });
    const lines = (await cli(a, ["export"])).stdout.split("\n").filter(Boolean);
    const bad = ['{"experiment": {"schema": 1}, "config": {}, "results": {"acc": "high"}}', "{not json"];
    const b = makeRepo();
    writeFileSync(join(b, "x.ndjson"), [lines[0], bad[0], lines[1], bad[1]].join("\n") + "\n");
    const imp = await cli(b, ["import", "x.ndjson"]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toMatch(/line 2:/);
    expect(imp.stderr).toMatch(/line 4:/);
    expect(imp.stdout).toMatch(/2 new/);
    expect(git(b, ["for-each-ref", "refs/experiments/"]).trim().split("\n")).toHaveLength(2);
    git(b, ["fsck", "--strict", "--no-dangling"]);
  });

  it("imports from stdin, and record - takes one whole document", async () => {
    const a = makeRepo();
    await recordIn(a, { seed: 1 }, { acc: 0.9 }, ["--name", "piped"]);
    const line = (await cli(a, ["export"])).stdout;
    const b = makeRepo();
    expect((await cli(b, ["import", "-"], { input: line })).code).toBe(0);
    const c = makeRepo();
    const doc = JSON.stringify({ experiment: { name: "from-doc" }, config: { lr: 3 }, results: { acc: 0.1 } });
    const r = await cli(c, ["record", "-"], { input: doc, env: DATE });
    expect(r.code).toBe(0);
    const meta = JSON.parse(git(c, ["cat-file", "-p", `${r.stdout.trim()}:experiment.json`])) as Record<string, unknown>;
    expect(meta["name"]).toBe("from-doc");
    expect(meta["created_at"]).toBe("2026-11-23T10:00:00.123Z");
    expect(meta["created_by"]).toEqual({ email: "ada@example.com", name: "Ada Lovelace" });
  });

  it("keeps the created_at of each imported document", async () => {
    const a = makeRepo();
    await recordIn(a, { seed: 1 }, { acc: 0.9 }, [], { GIT_AUTHOR_DATE: "2020-01-01T00:00:00.000Z" });
    const line = (await cli(a, ["export"])).stdout;
    const b = makeRepo();
    await cli(b, ["import", "-"], { input: line, env: { GIT_AUTHOR_DATE: "2030-01-01T00:00:00Z" } });
    const ls = JSON.parse((await cli(b, ["ls", "--json"])).stdout) as { created_at: string }[];
    expect(ls[0]!.created_at).toBe("2020-01-01T00:00:00.000Z");
  });
});

describe("reading it back", () => {
  it("ls lists newest first with key metrics; show prints params, results and series", async () => {
    const dir = makeRepo({ commit: true });
    const s = join(tempDir(), "s.jsonl");
    writeFileSync(s, '{"step": 0, "loss": 1.5}\n{"step": 1, "loss": 0.5}\n');
    await recordIn(dir, { lr: 0.1 }, { acc: 0.5 }, ["--name", "old"], { GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z" });
    await recordIn(dir, { lr: 0.2, opt: { m: 0.9 } }, { acc: 0.7, val: { acc: 0.6 } }, ["--name", "new", "--series", s, "--tag", "best"], {
      GIT_AUTHOR_DATE: "2026-02-01T00:00:00Z",
    });
    const ls = await cli(dir, ["ls"]);
    expect(ls.stdout.indexOf("new")).toBeLessThan(ls.stdout.indexOf("old"));
    expect(ls.stdout).toContain("val.acc=0.6");
    const show = await cli(dir, ["show", "new"]);
    expect(show.stdout).toMatch(/opt\.m\s+0\.9/);
    expect(show.stdout).toMatch(/val\.acc\s+0\.6/);
    expect(show.stdout).toMatch(/loss\s+2 points, last 0\.5/);
    expect(show.stdout).toMatch(/Tags:\s+best/);
    const fileSeries = readFileSync(s, "utf8");
    expect(fileSeries).toContain("loss");
  });

  it("an empty repository lists nothing, without error", async () => {
    const dir = makeRepo();
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([]);
  });
});

describe("lenient reading of other writers' experiments", () => {
  it("indexes an experiment whose created_at has no milliseconds and whose JSON is not canonical", async () => {
    const dir = makeRepo({ commit: true });
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const blob = (text: string): string => execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, input: text, encoding: "utf8" }).trim();
    const meta = blob(`{\n  "schema": 1,\n  "created_at": "2026-01-02T05:04:05+02:00",\n  "created_by": {"name": "Py", "email": "p@x"},\n  "status": "completed",\n  "name": "from-python",\n  "source": {"commit": "${head}", "branch": "main", "dirty": false}\n}\n`);
    const config = blob('{"lr": 0.01}\n');
    const results = blob('{"acc": 0.93, "loss": NaN}\n');
    const tree = execFileSync("git", ["mktree"], { cwd: dir, input: `100644 blob ${config}\tconfig.json\n100644 blob ${meta}\texperiment.json\n100644 blob ${results}\tresults.json\n`, encoding: "utf8" }).trim();
    const id = execFileSync("git", ["commit-tree", tree, "-p", head, "-m", "exp: from-python"], { cwd: dir, encoding: "utf8" }).trim();
    git(dir, ["update-ref", `refs/experiments/${id}`, id]);
    const ls = await cli(dir, ["ls", "--json"]);
    expect(ls.stderr).not.toMatch(/left out/);
    const rows = JSON.parse(ls.stdout) as { id: string; created_at: string; metrics: Record<string, unknown> }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.created_at).toBe("2026-01-02T03:04:05.000Z");
    expect(rows[0]!.metrics["acc"]).toBe(0.93);
  });
});

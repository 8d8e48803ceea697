import { afterEach, describe, expect, it } from "vitest";
import { cleanup, cli, git, makeRepo, repoSnapshot, writeJson } from "./helpers/repo.js";
import { NOTES_REF, foldAnnotations, parseEvents } from "../src/core/annotations.js";

afterEach(cleanup);

async function recordOne(dir: string, name: string, lr: number): Promise<string> {
  const c = writeJson(dir, "c.json", { lr });
  const res = writeJson(dir, "r.json", { acc: lr * 2 });
  const r = await cli(dir, ["record", "--config", c, "--results", res, "--name", name, "--tag", "first"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function showJson(dir: string, spec: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const r = await cli(dir, ["show", spec, "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("tag, untag, note, rename", () => {
  it("changes what show reports while the experiment's id and content stay", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "baseline-run", 0.1);
    expect((await cli(dir, ["tag", id.slice(0, 8), "baseline", "v2"])).code).toBe(0);
    expect((await cli(dir, ["untag", "baseline-run", "first"])).code).toBe(0);
    expect((await cli(dir, ["note", id.slice(0, 8), "best so far\nsecond line"])).code).toBe(0);
    expect((await cli(dir, ["rename", id.slice(0, 8), "resnet-best"])).code).toBe(0);

    const shown = await showJson(dir, "resnet-best");
    expect(shown["id"]).toBe(id);
    const state = shown["annotations"] as { name: string; tags: string[]; notes: { text: string }[]; deleted: boolean };
    expect(state.name).toBe("resnet-best");
    expect(state.tags).toEqual(["baseline", "v2"]);
    expect(state.notes.map((n) => n.text)).toEqual(["best so far\nsecond line"]);
    expect((shown["experiment"] as { name: string }).name).toBe("baseline-run");

    const text = await cli(dir, ["show", "resnet-best"]);
    expect(text.stdout).toContain("Name:     resnet-best (recorded as baseline-run)");
    expect(text.stdout).toContain("Tags:     baseline, v2");
    expect(text.stdout).toContain("best so far");
    // the old name no longer names it
    expect((await cli(dir, ["show", "baseline-run"])).code).toBe(3);
    // the ref still points at the same commit: content never changes
    expect(git(dir, ["rev-parse", `refs/experiments/${id}`]).trim()).toBe(id);
  });

  it("stores one canonical JSON line per event in refs/notes/experiments, readable by plain git", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "a", 0.1);
    await cli(dir, ["tag", id, "x"]);
    await cli(dir, ["untag", id, "x"]);
    const note = git(dir, ["notes", `--ref=${NOTES_REF}`, "show", id]);
    const lines = note.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      const e = JSON.parse(l) as Record<string, unknown>;
      expect(Object.keys(e)).toEqual([...Object.keys(e)].sort());
      expect(e["by"]).toEqual({ email: "ada@example.com", name: "Ada Lovelace" });
      expect(e["at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // untag folds after tag even when both happen within one millisecond
    expect(foldAnnotations({ tags: [] }, parseEvents(note)).tags).toEqual([]);
  });

  it("tags in the order typed even with a fixed GIT_AUTHOR_DATE", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "a", 0.1);
    const env = { GIT_AUTHOR_DATE: "@1700000000 +0000" };
    await cli(dir, ["untag", id, "first"], { env });
    await cli(dir, ["tag", id, "first"], { env });
    const state = (await showJson(dir, id))["annotations"] as { tags: string[] };
    expect(state.tags).toEqual(["first"]);
  });

  it("writes nothing when the change is already the current state", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "a", 0.1);
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["tag", id, "first"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(unchanged)");
    expect(repoSnapshot(dir)).toBe(before);
  });
});

describe("rm and restore", () => {
  it("rm hides the experiment but keeps its ref; restore brings it back", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "gone", 0.1);
    const rm = await cli(dir, ["rm", "gone"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(git(dir, ["rev-parse", `refs/experiments/${id}`]).trim()).toBe(id);
    const show = await cli(dir, ["show", id.slice(0, 8)]);
    expect(show.code).toBe(3);
    expect(show.stderr).toContain("restore");
    expect(((await showJson(dir, id, ["--deleted"]))["annotations"] as { deleted: boolean }).deleted).toBe(true);
    expect((await cli(dir, ["restore", id.slice(0, 8)])).code).toBe(0);
    expect((await showJson(dir, "gone"))["id"]).toBe(id);
  });

  it("rm --purge writes the delete event and drops the ref", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "purged", 0.1);
    expect((await cli(dir, ["rm", "--purge", id.slice(0, 6)])).code).toBe(0);
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).toBe("");
    const events = parseEvents(git(dir, ["notes", `--ref=${NOTES_REF}`, "show", id]));
    expect(events.map((e) => e.op)).toEqual(["delete"]);
  });

  it("an experiment deleted earlier can still be purged", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "twice", 0.1);
    await cli(dir, ["rm", id]);
    expect((await cli(dir, ["rm", "--purge", id])).code).toBe(0);
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).toBe("");
  });
});

describe("bad input writes nothing", () => {
  const cases: [string, (id: string) => string[], number][] = [
    ["a tag with a space", (id) => ["tag", id, "has space"], 2],
    ["a tag with a comma", (id) => ["tag", id, "a,b"], 2],
    ["an empty note", (id) => ["note", id, "  "], 2],
    ["an empty name", (id) => ["rename", id, ""], 2],
    ["a name with a newline", (id) => ["rename", id, "a\nb"], 2],
    ["a name that reads as an id prefix", (id) => ["rename", id, "8f7d"], 2],
    ["an unknown experiment", () => ["tag", "ffffffff", "x"], 3],
    ["one unknown among several in rm", (id) => ["rm", id, "nope"], 3],
    ["restore of an experiment that is not deleted", (id) => ["restore", "nope", id], 3],
  ];
  for (const [what, args, code] of cases) {
    it(what, async () => {
      const dir = makeRepo({ commit: true });
      const id = await recordOne(dir, "keep", 0.1);
      const before = repoSnapshot(dir);
      const r = await cli(dir, args(id));
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(/^git exp: /);
      expect(repoSnapshot(dir)).toBe(before);
    });
  }

  it("an ambiguous name is refused with the candidates", async () => {
    const dir = makeRepo({ commit: true });
    await recordOne(dir, "same", 0.1);
    await recordOne(dir, "same", 0.2);
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["tag", "same", "x"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("ambiguous");
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("hostile note lines are ignored, not fatal", async () => {
    const dir = makeRepo({ commit: true });
    const id = await recordOne(dir, "a", 0.1);
    const junk = ['not json', '{"op":"tag","at":"2026-01-01T00:00:00.000Z","tag":"has space","by":{"name":"x","email":"y"}}', '{"op":"tag","at":"yesterday","tag":"ok","by":{"name":"x","email":"y"}}', '{"op":"tag","at":"2026-01-01T00:00:00.000Z","tag":"fine"}'];
    git(dir, ["notes", `--ref=${NOTES_REF}`, "add", "-m", junk.join("\n"), id]);
    const state = (await showJson(dir, id))["annotations"] as { tags: string[] };
    expect(state.tags).toEqual(["first"]);
  });
});

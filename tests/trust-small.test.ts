import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

function docLine(name: string, commit: string | null, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    experiment: { name, created_at: "2026-03-01T10:00:00.000Z", ...(commit ? { source: { commit, branch: "main", dirty: false } } : {}) },
    config: { lr: 0.1 },
    results: { acc: 0.5 },
    series: { loss: { step: [0, 1], value: [1, 0.5] } },
    ...extra,
  });
}

async function importLines(dir: string, lines: string[]): Promise<{ code: number; stderr: string }> {
  const file = join(tempDir(), "in.ndjson");
  writeFileSync(file, lines.join("\n") + "\n");
  return cli(dir, ["import", file]);
}

describe("export carries annotations; import replays them once", () => {
  it("tags, notes and renames travel through NDJSON into a fresh repository, and a second import adds nothing", async () => {
    const src = makeRepo();
    expect((await importLines(src, [docLine("first", null)])).code).toBe(0);
    expect((await cli(src, ["tag", "first", "baseline"])).code).toBe(0);
    expect((await cli(src, ["note", "first", "the good one"])).code).toBe(0);
    expect((await cli(src, ["rename", "first", "renamed"])).code).toBe(0);
    const out = join(tempDir(), "all.ndjson");
    const ex = await cli(src, ["export", "-o", out]);
    expect(ex.code, ex.stderr).toBe(0);
    const line = JSON.parse(readFileSync(out, "utf8").trim());
    expect(line.annotations.map((e: { op: string }) => e.op).sort()).toEqual(["note", "rename", "tag"]);
    const dst = makeRepo();
    const first = await cli(dst, ["import", out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/3 annotation events replayed/);
    const shown = JSON.parse((await cli(dst, ["show", "renamed", "--json"])).stdout);
    expect(shown.annotations).toMatchObject({ name: "renamed", tags: ["baseline"], notes: [{ text: "the good one" }] });
    const notes = git(dst, ["rev-parse", "refs/notes/experiments"]);
    const again = await cli(dst, ["import", out]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/annotation events replayed/);
    expect(git(dst, ["rev-parse", "refs/notes/experiments"])).toBe(notes);
  });

  it("a malformed annotation event makes the line bad: nothing of it is written", async () => {
    const dir = makeRepo();
    const before = repoSnapshot(dir);
    const r = await importLines(dir, [docLine("x", null, { annotations: [{ op: "tag", at: "yesterday" }] })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/annotations\[0\] is not an annotation event/);
    expect(repoSnapshot(dir)).toBe(before);
  });
});

describe("smaller things that were silently wrong", () => {
  it("-p lr=0.1, (an empty sweep value) is refused with exit 2, nothing written", async () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["run", "-p", "lr=0.1,", "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty value/);
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("diff calls an ancestor behind, not diverged; plot labels runs by their current name", async () => {
    const dir = makeRepo({ commit: true });
    const old = git(dir, ["rev-parse", "HEAD"]).trim();
    writeFileSync(join(dir, "b.txt"), "b\n");
    git(dir, ["add", "b.txt"]);
    git(dir, ["commit", "-q", "-m", "b"]);
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    expect((await importLines(dir, [docLine("new", head), docLine("old", old).replace('"lr":0.1', '"lr":0.2')])).code).toBe(0);
    const d = await cli(dir, ["diff", "new", "old"]);
    expect(d.stdout).toMatch(/1 commit behind/);
    expect(d.stdout).not.toMatch(/diverged/);
    expect((await cli(dir, ["rename", "old", "older"])).code).toBe(0);
    const p = await cli(dir, ["plot", "loss", "older", "new"]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain("older");
    expect(p.stdout).not.toMatch(/>old</);
  });
});

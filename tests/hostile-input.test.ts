import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, makeRepo, repoSnapshot, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

describe("hostile and broken input: a clear error, nothing written", () => {
  it("--limit past what a number holds exactly is exit 2, not a crash", async () => {
    const dir = makeRepo({ commit: true });
    for (const n of ["1e100", "99999999999999999999", "1.5", "-3"]) {
      const r = await cli(dir, ["ls", "--limit", n]);
      expect(r.code, `${n}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain("--limit takes a whole number");
    }
  });

  it("a key given twice, and bytes that are not UTF-8 in a config, name, tag, note or document, are refused", async () => {
    const dir = makeRepo({ commit: true });
    const ok = writeJson(dir, "c.json", { lr: 1 });
    const r = writeJson(dir, "r.json", { acc: 1 });
    const twice = writeJson(dir, "twice.json", '{"lr": 1, "opt": {"b": 1, "b": 2}}');
    const bad = join(dir, "bad.json");
    writeFileSync(bad, Buffer.concat([Buffer.from('{"note": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    const before = repoSnapshot(dir);
    const dup = await cli(dir, ["record", "--config", twice, "--results", r]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('the key "b" is given twice');
    const utf = await cli(dir, ["record", "--config", bad, "--results", r]);
    expect(utf.code).toBe(2);
    expect(utf.stderr).toContain("not valid UTF-8");
    for (const extra of [["--name", "bad\uFFFDname"], ["--tag", "bad\uFFFD"]]) {
      const out = await cli(dir, ["record", "--config", ok, "--results", r, ...extra]);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toContain("not valid UTF-8");
    }
    const doc = await cli(dir, ["import", "-"], { input: '{"experiment":{"name":"x\uFFFD"},"config":{},"results":{}}\n' });
    expect(doc.code).toBe(2);
    expect(doc.stderr).toContain("not valid UTF-8");
    expect(repoSnapshot(dir)).toBe(before);
    const id = (await cli(dir, ["record", "--config", ok, "--results", r, "--name", "fine"])).stdout.trim();
    const after = repoSnapshot(dir);
    const note = await cli(dir, ["note", id.slice(0, 8), "bad \uFFFD note"]);
    expect(note.code).toBe(2);
    expect(repoSnapshot(dir)).toBe(after);
  });

  it('a name holding " or \\ can be looked up', async () => {
    const dir = makeRepo({ commit: true });
    const c = writeJson(dir, "c.json", { lr: 1 });
    const r = writeJson(dir, "r.json", { acc: 1 });
    const name = 'say "hi" \\o/';
    const id = (await cli(dir, ["record", "--config", c, "--results", r, "--name", name])).stdout.trim();
    const show = await cli(dir, ["show", name, "--json"]);
    expect(show.code, show.stderr).toBe(0);
    expect((JSON.parse(show.stdout) as { id: string }).id).toBe(id);
  });
});

import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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

  it("user SQL stops at --timeout (default 60 s) and says so; a bad --timeout is exit 2 before the index is touched", async () => {
    const dir = makeRepo({ commit: true });
    const c = writeJson(dir, "c.json", { lr: 1 });
    const r = writeJson(dir, "r.json", { acc: 1 });
    expect((await cli(dir, ["record", "--config", c, "--results", r])).code).toBe(0);
    const before = repoSnapshot(dir);
    for (const bad of ["-1", "abc", "1e100"]) {
      const out = await cli(dir, ["sql", "SELECT 1", "--timeout", bad]);
      expect(out.code, bad).toBe(2);
      expect(out.stderr).toContain("--timeout takes");
    }
    expect(existsSync(join(dir, ".git", "exp", "index.duckdb"))).toBe(false);
    expect(repoSnapshot(dir)).toBe(before);
    const slow = await cli(dir, ["sql", "SELECT sum(hash(range)) FROM range(100000000000)", "--timeout", "0.5"]);
    expect(slow.code).toBe(4);
    expect(slow.stderr).toContain("the query ran past its time limit of 0.5 s and was interrupted");
    const fine = await cli(dir, ["sql", "SELECT count(*) AS n FROM experiments", "--json", "--timeout", "0"]);
    expect(fine.code, fine.stderr).toBe(0);
    expect(JSON.parse(fine.stdout)).toEqual([{ n: 1 }]);
  });

  it("an index lock held by a live process that is not git-exp is taken over", async () => {
    const dir = makeRepo({ commit: true });
    expect((await cli(dir, ["index"])).code).toBe(0);
    const other = spawn("sleep", ["300"]);
    try {
      await new Promise((resolve) => other.once("spawn", resolve));
      const pid = other.pid!;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      const lock = join(dir, ".git", "exp", "index.duckdb.lock");
      // As an older git-exp wrote it (the pid alone), and as this one does (pid and start time).
      for (const text of [String(pid), `${pid} ${start}`]) {
        writeFileSync(lock, text);
        const r = await cli(dir, ["index", "--rebuild"], { env: { GIT_EXP_LOCK_TIMEOUT: "30" } });
        expect(r.code, r.stderr).toBe(0);
        expect(existsSync(lock)).toBe(false);
      }
    } finally {
      other.kill();
    }
  });
});

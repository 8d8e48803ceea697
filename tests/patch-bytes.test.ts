import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, git, makeRepo, TEST_ENV } from "./helpers/repo.js";

afterAll(cleanup);

/** Tracked text that is not UTF-8 (Latin-1), changed and not committed. */
const LATIN1_COMMITTED = Buffer.from("name,city\nJos\xe9,M\xfcnchen\n", "latin1");
const LATIN1_CHANGED = Buffer.from("name,city\nJos\xe9,K\xf6ln\n", "latin1");

describe("patch.diff keeps the bytes of the uncommitted changes", () => {
  it("a run over a changed Latin-1 file stores the patch byte for byte: git apply and git exp apply rebuild the file exactly", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "labels.csv"), LATIN1_COMMITTED);
    git(dir, ["add", "labels.csv"]);
    git(dir, ["commit", "-q", "-m", "labels"]);
    writeFileSync(join(dir, "labels.csv"), LATIN1_CHANGED);
    const run = await cli(dir, ["run", "--name", "latin", "--", "true"]);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim().split("\n").pop()!;
    const stored = execFileSync("git", ["cat-file", "blob", `${id}:patch.diff`], { cwd: dir, env: { ...process.env, ...TEST_ENV } });
    expect(stored.includes(Buffer.from("K\xf6ln", "latin1"))).toBe(true);
    expect(stored.includes(Buffer.from("\ufffd", "utf8"))).toBe(false);
    // plain git takes it back
    git(dir, ["checkout", "--", "."]);
    execFileSync("git", ["apply", "--check", "-"], { cwd: dir, input: stored, env: { ...process.env, ...TEST_ENV } });
    // and so does git exp apply
    const applied = await cli(dir, ["apply", id]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(join(dir, "labels.csv")).equals(LATIN1_CHANGED)).toBe(true);
  });
});

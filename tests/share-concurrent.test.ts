import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, TEST_ENV, cleanup, git, writeJson } from "./helpers/repo.js";
import { annotationsOf, lsJson, makeClone, makeRemote } from "./helpers/share.js";

afterEach(cleanup);

/** The built binary as a separate process, so four writers really run at once. */
function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd, env: { ...process.env, ...TEST_ENV } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function writer(dir: string, who: number, round: number): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; k < 3; k++) {
    const c = writeJson(dir, "c.json", { who, round, k });
    const r = writeJson(dir, "r.json", { acc: who + round / 10 + k / 100 });
    const out = await run(dir, ["record", "--config", c, "--results", r, "--name", `w${who}-r${round}-${k}`]);
    expect(out.code, out.stderr).toBe(0);
    ids.push(out.stdout.trim());
  }
  // everyone tags the same shared experiment, and its own first one
  expect((await run(dir, ["tag", ids[0]!, `by-${who}`])).code).toBe(0);
  const pushed = await run(dir, ["push", "--json"]);
  expect(pushed.code, pushed.stderr).toBe(0);
  return ids;
}

describe("many writers", () => {
  it("4 clones pushing to one remote at once, repeatedly, end with the union everywhere", async () => {
    const remote = makeRemote();
    const clones = [0, 1, 2, 3].map(() => makeClone(remote));
    // one shared experiment everyone annotates concurrently
    const c = writeJson(clones[0]!, "shared.json", { shared: true });
    const r = writeJson(clones[0]!, "shared-r.json", { acc: 1 });
    const shared = (await run(clones[0]!, ["record", "--config", c, "--results", r, "--name", "shared"])).stdout.trim();
    expect((await run(clones[0]!, ["push"])).code).toBe(0);
    await Promise.all(clones.slice(1).map((d) => run(d, ["pull"])));

    const all = new Set<string>([shared]);
    for (let round = 0; round < 3; round++) {
      const made = await Promise.all(
        clones.map(async (d, who) => {
          const ids = await writer(d, who, round);
          expect((await run(d, ["tag", shared, `r${round}-w${who}`])).code).toBe(0);
          const again = await run(d, ["push", "--json"]);
          expect(again.code, again.stderr).toBe(0);
          return ids;
        }),
      );
      for (const ids of made) for (const id of ids) all.add(id);
    }
    const onRemote = git(remote, ["for-each-ref", "--format=%(refname:lstrip=2)", "refs/experiments/"]).split("\n").filter(Boolean);
    expect(new Set(onRemote)).toEqual(all);

    for (const d of clones) {
      const p = await run(d, ["pull"]);
      expect(p.code, p.stderr).toBe(0);
    }
    const listings = await Promise.all(clones.map((d) => lsJson(d)));
    for (const l of listings) {
      expect(l).toEqual(listings[0]);
      expect((l as unknown[]).length).toBe(all.size);
    }
    const states = await Promise.all(clones.map((d) => annotationsOf(d, shared)));
    for (const s of states) expect(s).toEqual(states[0]);
    const tags = (states[0] as { tags: string[] }).tags;
    for (let round = 0; round < 3; round++) for (let who = 0; who < 4; who++) expect(tags).toContain(`r${round}-w${who}`);
    git(remote, ["fsck", "--no-progress"]);
  }, 180_000); // four clones of git push and pull at once: slow on two shared cores, not wrong
});

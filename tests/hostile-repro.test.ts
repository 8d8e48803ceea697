import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FORGER, forgeExperiment } from "./helpers/forge.js";
import { cleanup, cli, git, repoSnapshot, tempDir } from "./helpers/repo.js";
import { makeClone, makeRemote } from "./helpers/share.js";

afterAll(cleanup);

/**
 * A remote holding experiments forged with plain git plumbing whose command touches a file
 * outside the repository, pulled into a victim's clone. Returns the victim, the ids and
 * where each command would leave its mark.
 */
async function pulledForgeries(): Promise<{ victim: string; marks: Map<string, string> }> {
  const remote = makeRemote();
  const mallory = makeClone(remote);
  const head = git(mallory, ["rev-parse", "HEAD"]).trim();
  const out = tempDir("git-exp-marks-");
  const marks = new Map<string, string>();
  const forge = (name: string, by = FORGER): void => {
    const mark = join(out, name);
    const id = forgeExperiment(mallory, { parent: head, experiment: { name, created_by: by, command: ["sh", "-c", `touch ${mark}`] }, config: { lr: 0.1 } });
    marks.set(id, mark);
  };
  forge("mallory");
  // Claiming to be the victim: an arrival still counts as someone else's.
  forge("victim-own", { name: "Ada Lovelace", email: "ada@example.com" });
  git(mallory, ["push", "-q", remote, "main", "refs/experiments/*:refs/experiments/*"]);
  const victim = makeClone(remote);
  const p = await cli(victim, ["pull"]);
  expect(p.code, p.stderr).toBe(0);
  return { victim, marks };
}

describe("repro asks before running a command this clone did not record", () => {
  it("without a terminal it refuses a pulled experiment's command unless --yes, showing command, commit and folder", async () => {
    const { victim, marks } = await pulledForgeries();
    for (const [id, mark] of marks) {
      const before = repoSnapshot(victim);
      const r = await cli(victim, ["repro", id.slice(0, 12)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`touch ${mark}`);
      expect(r.stderr).toMatch(/source commit: +[0-9a-f]{40}/);
      expect(r.stderr).toContain("working folder: .");
      expect(r.stderr).toContain("--yes");
      expect(r.stderr).toContain("arrived through pull or import");
      expect(existsSync(mark)).toBe(false);
      expect(repoSnapshot(victim)).toBe(before);
    }
    const [id, mark] = [...marks][0]!;
    const yes = await cli(victim, ["repro", id.slice(0, 12), "--yes"]);
    expect(yes.code, yes.stderr).not.toBe(2);
    expect(existsSync(mark)).toBe(true);
  }, 180_000);

  it("on a terminal it asks: no runs nothing, yes runs it", async () => {
    const { victim, marks } = await pulledForgeries();
    const [id, mark] = [...marks][0]!;
    const no = await cli(victim, ["repro", id.slice(0, 12)], { stdinIsTTY: true, input: "n\n" });
    expect(no.code).toBe(2);
    expect(no.stderr).toContain("run it? [y/N]");
    expect(existsSync(mark)).toBe(false);
    const yes = await cli(victim, ["repro", id.slice(0, 12)], { stdinIsTTY: true, input: "y\n" });
    expect(yes.code, yes.stderr).not.toBe(2);
    expect(existsSync(mark)).toBe(true);
  }, 180_000);

  it("an experiment recorded here reruns without asking; a command that is not a list of strings is refused", async () => {
    const dir = makeClone(makeRemote());
    const mark = join(tempDir("git-exp-marks-"), "own");
    const run = await cli(dir, ["run", "--name", "own", "--", "sh", "-c", `touch ${mark}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(mark)).toBe(true);
    const again = await cli(dir, ["repro", "own"]);
    expect(again.code, again.stderr).toBe(0);
    // Written here with plain git under the local identity, but its command is no argv.
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    const bad = forgeExperiment(dir, {
      parent: head,
      experiment: { name: "bad-command", created_by: { name: "Ada Lovelace", email: "ada@example.com" }, command: ["sh", 1, { x: 1 }] },
      config: { lr: 1 },
    });
    const before = repoSnapshot(dir);
    const r = await cli(dir, ["repro", bad.slice(0, 12), "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a list of strings|must be string/);
    expect(repoSnapshot(dir)).toBe(before);
  }, 180_000);
});

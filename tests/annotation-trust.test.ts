import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, git, repoSnapshot, tempDir, writeJson } from "./helpers/repo.js";
import { annotationsOf, gitInput, lsJson, makeClone, makeRemote, recordExp } from "./helpers/share.js";

afterAll(cleanup);

const ADA = { email: "ada@example.com", name: "Ada Lovelace" };
const NOTES = "refs/notes/experiments";

/** An event line as a forger writes it with plain git: canonical JSON, any identity, any date. */
function eventLine(op: string, at: string, extra: Record<string, string> = {}): string {
  const e: Record<string, unknown> = { at, by: ADA, op, ...extra };
  return JSON.stringify(Object.fromEntries(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** Add lines to an experiment's note with `git notes`, as any tool that can push notes could. */
function forgeNote(dir: string, id: string, lines: string[]): void {
  const r = spawnSync("git", ["notes", `--ref=${NOTES}`, "show", id], { cwd: dir, encoding: "utf8" });
  const have = r.status === 0 ? r.stdout.split("\n").filter(Boolean) : [];
  gitInput(dir, ["notes", `--ref=${NOTES}`, "add", "-f", "-F", "-", id], [...have, ...lines].sort().join("\n") + "\n");
}

function names(listing: unknown): string[] {
  return (listing as { name: string }[]).map((e) => e.name).sort();
}

describe("annotations from a remote never remove or rename an experiment silently", () => {
  it("pull reports deletes and renames, refuses future dates, --no-deletes and accept_deletes keep deletes out, restore undoes a pulled delete", async () => {
    const remote = makeRemote();
    const ada = makeClone(remote);
    const iris = await recordExp(ada, "iris");
    expect((await cli(ada, ["push"])).code).toBe(0);

    // Mallory: a delete claiming Ada's identity, a rename dated 9999, and an experiment of
    // her own that arrives already deleted.
    const mal = makeClone(remote);
    expect((await cli(mal, ["pull"])).code).toBe(0);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    forgeNote(mal, iris, [eventLine("delete", soon), eventLine("rename", "9999-12-31T00:00:00.000Z", { name: "pwned" })]);
    const m2 = await recordExp(mal, "m2");
    expect((await cli(mal, ["rm", m2])).code).toBe(0);
    git(mal, ["push", "-q", "origin", "refs/experiments/*:refs/experiments/*", `${NOTES}:${NOTES}`]);

    // The victim, with --no-deletes: both reported, neither applied; the future one makes it exit 1.
    const kept = await cli(ada, ["pull", "--no-deletes"]);
    expect(kept.code, kept.stderr).toBe(1);
    expect(kept.stdout).toContain(`refused: deleted ${iris.slice(0, 12)} (iris) by Ada Lovelace <ada@example.com> at ${soon}: remote deletes are kept out`);
    expect(kept.stdout).toContain(`refused: renamed ${iris.slice(0, 12)} (iris) to pwned by Ada Lovelace <ada@example.com> at 9999-12-31T00:00:00.000Z: dated more than a day in the future`);
    expect(kept.stdout).toContain(`refused: deleted ${m2.slice(0, 12)} (m2) by Ada Lovelace`);
    expect(names(await lsJson(ada))).toEqual(["iris", "m2"]);
    // The lines still travel (a union, so pushing never drops another clone's events); only this clone ignores them.
    expect(git(ada, ["notes", `--ref=${NOTES}`, "show", iris])).toContain("pwned");
    expect(git(ada, ["cat-file", "blob", "refs/exp-refused/events"])).toContain(`${iris} {"at":"9999-12-31`);
    const again = await cli(ada, ["pull", "--no-deletes", "--json"]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { events: unknown[] }).events).toEqual([]);

    // Another clone, deletes accepted: the delete is applied and said, the rename still refused.
    const bob = makeClone(remote);
    const pulled = await cli(bob, ["pull", "--json"]);
    expect(pulled.code).toBe(1);
    const summary = JSON.parse(pulled.stdout) as { skippedDeleted: number; events: { id: string; op: string; applied: boolean; refused?: string; by: unknown }[] };
    expect(summary.skippedDeleted).toBe(2);
    expect(summary.events.map((e) => [e.id, e.op, e.applied, e.refused ?? null])).toEqual(
      [
        [iris, "delete", true, null],
        [iris, "rename", false, "future"],
        [m2, "delete", true, null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(summary.events[0]!.by).toEqual(ADA);
    expect(await lsJson(bob)).toEqual([]);
    expect(git(bob, ["for-each-ref", "refs/experiments/"])).toBe("");

    // restore: a name or prefix that is nowhere is exit 3 and writes nothing.
    const before = repoSnapshot(bob);
    const none = await cli(bob, ["restore", "no-such-experiment", "iris"]);
    expect(none.code).toBe(3);
    expect(repoSnapshot(bob)).toBe(before);
    // The deleted one comes back under its own name, the one that arrived deleted from quarantine.
    const back = await cli(bob, ["restore", "iris", m2.slice(0, 10)]);
    expect(back.code, back.stderr).toBe(0);
    expect(names(await lsJson(bob))).toEqual(["iris", "m2"]);
    expect(git(bob, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim().split("\n").sort()).toEqual(
      [`refs/experiments/${iris}`, `refs/experiments/${m2}`].sort(),
    );

    // gitexp.json accept_deletes: false does what --no-deletes does; a malformed value writes nothing.
    const carol = makeClone(remote);
    writeJson(carol, "gitexp.json", { accept_deletes: "no" });
    const emptyBefore = repoSnapshot(carol);
    const bad = await cli(carol, ["pull"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("accept_deletes");
    expect(repoSnapshot(carol)).toBe(emptyBefore);
    writeJson(carol, "gitexp.json", { accept_deletes: false });
    const byConfig = await cli(carol, ["pull"]);
    expect(byConfig.stdout).toContain(`refused: deleted ${iris.slice(0, 12)} (iris)`);
    expect(names(await lsJson(carol))).toEqual(["iris", "m2"]);
  });

  it.skipIf(spawnSync("ssh-keygen", ["-?"]).error !== undefined)(
    "annotations are signed where the repository signs commits, and --verify-signatures keeps only those git verifies",
    async () => {
      const keys = tempDir("git-exp-keys-");
      const key = (name: string): string => {
        const path = join(keys, name);
        expect(spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]).status).toBe(0);
        return path;
      };
      const signWith = (dir: string, path: string): void => {
        git(dir, ["config", "gpg.format", "ssh"]);
        git(dir, ["config", "user.signingkey", path]);
        git(dir, ["config", "commit.gpgSign", "true"]);
      };
      const trusted = key("ada");
      const allowed = join(keys, "allowed_signers");
      writeFileSync(allowed, `ada@example.com ${spawnSync("ssh-keygen", ["-y", "-f", trusted], { encoding: "utf8" }).stdout}`);

      const remote = makeRemote();
      const ada = makeClone(remote);
      signWith(ada, trusted);
      const e = await recordExp(ada, "signed");
      const tagged = await cli(ada, ["tag", e, "good"]);
      expect(tagged.code, tagged.stderr).toBe(0);
      git(ada, ["config", "gpg.ssh.allowedSignersFile", allowed]);
      expect(spawnSync("git", ["verify-commit", NOTES], { cwd: ada }).status).toBe(0);
      expect((await cli(ada, ["push"])).code).toBe(0);

      // Mallory: one tag written unsigned with plain git, one signed with a key nobody trusts.
      const mal = makeClone(remote);
      expect((await cli(mal, ["pull"])).code).toBe(0);
      forgeNote(mal, e, [eventLine("tag", new Date().toISOString(), { tag: "forged" })]);
      signWith(mal, key("mallory"));
      expect((await cli(mal, ["tag", e, "mal-signed"])).code).toBe(0);
      expect((await cli(mal, ["push"])).code).toBe(0);

      const v = makeClone(remote);
      git(v, ["config", "gpg.ssh.allowedSignersFile", allowed]);
      const pulled = await cli(v, ["pull", "--verify-signatures"]);
      expect(pulled.code).toBe(1);
      expect(pulled.stdout).toContain(`refused: tagged ${e.slice(0, 12)} (signed) forged by Ada Lovelace <ada@example.com>`);
      expect(pulled.stdout).toContain("mal-signed");
      expect(pulled.stdout).toContain("not added by a commit with a good signature");
      expect((await annotationsOf(v, e)) as { tags: string[] }).toMatchObject({ tags: ["good"] });
      // Without the flag, a clone takes all three.
      const w = makeClone(remote);
      expect((await cli(w, ["pull"])).code).toBe(0);
      expect(await annotationsOf(w, e)).toMatchObject({ tags: ["forged", "good", "mal-signed"] });
    },
  );
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRepository } from "../src/store/repository.js";
import { pushRecorded } from "../src/store/clone.js";
import { cleanup, git, makeRepo, tempDir, TEST_ENV } from "./helpers/repo.js";

afterAll(cleanup);

/** A clone with one experiment-shaped commit under refs/experiments and its trial's claim naming it, and a bare remote. */
function recorded(): { dir: string; remote: string; id: string; claim: string } {
  const dir = makeRepo({ commit: true });
  const remote = join(tempDir(), "origin.git");
  git(dir, ["init", "-q", "--bare", "-b", "main", remote]);
  git(dir, ["push", "-q", remote, "main"]);
  writeFileSync(join(dir, "x.txt"), "1\n");
  const tree = git(dir, ["write-tree"]).trim();
  const id = git(dir, ["commit-tree", tree, "-p", "HEAD", "-m", "exp: test"]).trim();
  git(dir, ["update-ref", `refs/experiments/${id}`, id]);
  const claim = "refs/exp-claims/abcd1234/0";
  git(dir, ["update-ref", claim, id]);
  return { dir, remote, id, claim };
}

describe("a --push task's experiment and claim go in one atomic push", () => {
  it("both land when the remote has no claim for the trial", async () => {
    const { dir, remote, id, claim } = recorded();
    const repo = await openRepository(dir, { ...process.env, ...TEST_ENV });
    expect(await pushRecorded(repo, remote, [id], claim)).toBe(true);
    expect(git(remote, ["for-each-ref", "--format=%(refname)", "refs/experiments/", "refs/exp-claims/"]).trim().split("\n").sort()).toEqual([claim, `refs/experiments/${id}`].sort());
    git(remote, ["fsck", "--no-progress"]);
  });

  it("neither lands when an earlier run of the task claimed the trial on the remote first", async () => {
    const { dir, remote, id, claim } = recorded();
    // the earlier run's claim names its own experiment
    const other = git(dir, ["commit-tree", git(dir, ["write-tree"]).trim(), "-p", "HEAD", "-m", "exp: earlier"]).trim();
    git(dir, ["push", "-q", remote, `${other}:${claim}`]);
    const repo = await openRepository(dir, { ...process.env, ...TEST_ENV });
    expect(await pushRecorded(repo, remote, [id], claim)).toBe(false);
    expect(git(remote, ["for-each-ref", "--format=%(refname)", "refs/experiments/"])).toBe("");
    expect(git(remote, ["rev-parse", claim]).trim()).toBe(other);
  });
});

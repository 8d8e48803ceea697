import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptDataError, NotFoundError } from "../core/errors.js";
import { commitExists } from "../store/commits.js";
import { runGit } from "../store/git.js";
import type { Repository } from "../store/repository.js";

/** A throw-away checkout of a source commit with a patch applied, and a scratch folder beside it. */
export interface TempWorktree {
  /** The checkout: where the command runs. */
  dir: string;
  /** Scratch space outside the checkout (config and metrics files). */
  scratch: string;
  remove(): Promise<void>;
}

/**
 * `git worktree add --detach` at `commit`, then `git apply` of the recorded patch. Writes no
 * object and no ref; the worktree's admin entry is pruned again by remove().
 */
export async function checkoutTemporary(repo: Repository, commit: string, patch: Uint8Array | undefined): Promise<TempWorktree> {
  if (!(await commitExists(repo, commit))) {
    throw new NotFoundError(`source commit ${commit.slice(0, 12)} is not in this repository; fetch it (git fetch <remote> ${commit}) and try again`);
  }
  const root = await mkdtemp(join(tmpdir(), "git-exp-repro-"));
  const dir = join(root, "tree");
  const remove = async (): Promise<void> => {
    await runGit(["worktree", "remove", "--force", dir], { cwd: repo.cwd });
    await rm(root, { recursive: true, force: true });
    await runGit(["worktree", "prune"], { cwd: repo.cwd });
  };
  try {
    const add = await runGit(["worktree", "add", "--detach", "--quiet", dir, commit], { cwd: repo.cwd });
    if (add.code !== 0) throw new CorruptDataError(`could not check out ${commit.slice(0, 12)}: ${add.stderr.trim()}`);
    if (patch && patch.length > 0) {
      const r = await runGit(["apply", "--binary", "--whitespace=nowarn"], { cwd: dir, input: patch });
      if (r.code !== 0) {
        throw new CorruptDataError(`the recorded patch.diff does not apply to ${commit.slice(0, 12)}: ${r.stderr.trim()}`);
      }
    }
    return { dir, scratch: root, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

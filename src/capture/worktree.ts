import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptDataError, NotFoundError } from "../core/errors.js";
import { commitExists } from "../store/commits.js";
import type { Repository } from "../store/repository.js";
import { addWorktree, applyPatch, pruneWorktrees, removeWorktree } from "../store/work-tree.js";
import { shortId } from "../core/ids.js";

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
    throw new NotFoundError(`source commit ${shortId(commit)} is not in this repository; fetch it (git fetch <remote> ${commit}) and try again`);
  }
  const root = await mkdtemp(join(tmpdir(), "git-exp-repro-"));
  const dir = join(root, "tree");
  const remove = async (): Promise<void> => {
    await removeWorktree(repo, dir);
    await rm(root, { recursive: true, force: true });
    await pruneWorktrees(repo);
  };
  try {
    const addError = await addWorktree(repo, dir, commit);
    if (addError !== undefined) throw new CorruptDataError(`could not check out ${shortId(commit)}: ${addError}`);
    if (patch && patch.length > 0) {
      const patchError = await applyPatch(repo, dir, patch);
      if (patchError !== undefined) throw new CorruptDataError(`the recorded patch.diff does not apply to ${shortId(commit)}: ${patchError}`);
    }
    return { dir, scratch: root, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

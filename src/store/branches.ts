import { runGit } from "./git.js";
import { gitOptions, type Repository } from "./repository.js";

/** Branches and other refs outside the experiments' namespace, for `git exp branch`. */

/** Whether `name` is a valid branch name. */
export async function isBranchName(repo: Repository, name: string): Promise<boolean> {
  return (await runGit(["check-ref-format", "--branch", name], gitOptions(repo))).code === 0;
}

/** Whether a ref exists. */
export async function refExists(repo: Repository, ref: string): Promise<boolean> {
  return (await runGit(["rev-parse", "-q", "--verify", ref], gitOptions(repo))).code === 0;
}

/** Create `ref` at `target` only if it does not exist yet: git's complaint when refused, else undefined. */
export async function createNewRef(repo: Repository, ref: string, target: string): Promise<string | undefined> {
  const r = await runGit(["update-ref", ref, target, "0".repeat(target.length)], gitOptions(repo));
  return r.code === 0 ? undefined : r.stderr.trim();
}

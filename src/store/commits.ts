import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

/** Whether a commit is in this repository (a shallow or partial clone may lack it). */
export async function commitExists(repo: Repository, commit: string): Promise<boolean> {
  return (await runGit(["cat-file", "-e", `${commit}^{commit}`], { cwd: repo.cwd, env: repo.env })).code === 0;
}

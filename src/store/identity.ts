import { EnvironmentError } from "../core/errors.js";
import type { Person } from "../core/experiment.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

/**
 * Who is acting: `git var GIT_AUTHOR_IDENT`, so GIT_AUTHOR_NAME/EMAIL and user.name/email
 * apply exactly as they do for `git commit`.
 */
export async function gitIdentity(repo: Repository): Promise<Person> {
  const r = await runGit(["var", "GIT_AUTHOR_IDENT"], { cwd: repo.cwd, env: repo.env });
  const m = /^(.*) <([^>]*)> \d+ [+-]\d{4}$/.exec(r.stdout.toString("utf8").trim());
  if (r.code !== 0 || !m) {
    throw new EnvironmentError(
      "git does not know who you are: run git config --global user.name \"Your Name\" and git config --global user.email you@example.com",
    );
  }
  return { name: m[1]!, email: m[2]! };
}

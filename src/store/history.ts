import { NotFoundError } from "../core/errors.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

export interface HistoryCommit {
  commit: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/** A branch's first-parent history, oldest first: the line of code changes a branch made. */
export async function firstParentHistory(repo: Repository, rev: string, max = 100_000): Promise<HistoryCommit[]> {
  if (rev.startsWith("-") || /[\s\0]/.test(rev)) throw new NotFoundError(`'${rev}' is not a branch or commit name`);
  const check = await runGit(["rev-parse", "-q", "--verify", `${rev}^{commit}`], { cwd: repo.cwd });
  if (check.code !== 0) throw new NotFoundError(`no branch or commit named '${rev}' in this repository; see 'git branch'`);
  const r = await runGit(["log", "--first-parent", `--max-count=${max}`, "--format=%H%x00%cI%x00%s", check.stdout.toString("utf8").trim()], {
    cwd: repo.cwd,
  });
  if (r.code !== 0) throw new NotFoundError(`cannot read the history of '${rev}': ${r.stderr.trim()}`);
  const out: HistoryCommit[] = [];
  for (const line of r.stdout.toString("utf8").split("\n")) {
    if (!line) continue;
    const [commit, date, subject] = line.split("\0");
    out.push({ commit: commit!, date: date!, subject: subject ?? "" });
  }
  return out.reverse();
}

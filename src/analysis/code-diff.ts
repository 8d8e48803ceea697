import type { Experiment } from "../core/experiment.js";
import { commitExists } from "../store/commits.js";
import { changedFiles, countCommits } from "../store/trees.js";
import type { Repository } from "../store/repository.js";
import type { PatchState, CodeDiff } from "../core/diff-results.js";

const PATCH = "patch.diff";

function patchState(a: Experiment, b: Experiment): PatchState {
  const [pa, pb] = [a.files[PATCH], b.files[PATCH]];
  const [ea, eb] = [!pa || pa.length === 0, !pb || pb.length === 0];
  if (ea && eb) return "none";
  if (ea) return "only-b";
  if (eb) return "only-a";
  return Buffer.from(pa!).equals(Buffer.from(pb!)) ? "same" : "differ";
}

/** The code side of a diff: source commits from git, and the uncommitted patches. */
export async function diffCode(repo: Repository, a: Experiment, b: Experiment): Promise<CodeDiff> {
  const ca = a.meta.source?.commit ?? null;
  const cb = b.meta.source?.commit ?? null;
  const patch = patchState(a, b);
  const out: CodeDiff = { a: ca, b: cb, sameCommit: ca === cb, ahead: null, behind: null, files: [], missing: [], patch, differs: false };
  if (ca !== null && cb !== null && ca !== cb) {
    for (const c of [ca, cb]) if (!(await commitExists(repo, c))) out.missing.push(c);
    if (out.missing.length === 0) {
      [out.ahead, out.behind, out.files] = await Promise.all([
        countCommits(repo, `${ca}..${cb}`),
        countCommits(repo, `${cb}..${ca}`),
        changedFiles(repo, ca, cb).then((f) => f ?? []),
      ]);
    }
  }
  out.differs = !out.sameCommit || (patch !== "none" && patch !== "same");
  return out;
}

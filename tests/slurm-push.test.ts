import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { binary, cleanup, cli, git, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";
import { requireSlurmOrSkip } from "./helpers/slurm.js";

afterAll(cleanup);

/**
 * `run --on slurm --push REMOTE`, against the real one-node Slurm of scripts/slurm-local.sh:
 * the tasks never touch the submitter's repository; they clone the remote into $TMPDIR,
 * rebuild the submitted code state there, record, and push.
 */
const here = requireSlurmOrSkip();

interface Shown {
  experiment: { status: string; source: { commit: string; branch: string | null; dirty: boolean }; sweep: { id: string; index: number } };
  config: { seed?: number };
  results: Record<string, number>;
  env: { slurm?: Record<string, string> };
}

/** A repository with a bare remote that has its one commit, and a tracked file changed but not committed. */
function repoWithRemote(): { dir: string; remote: string; head: string } {
  const dir = makeRepo({ commit: true });
  const remote = join(tempDir(), "origin.git");
  git(dir, ["init", "-q", "--bare", "-b", "main", remote]);
  git(dir, ["remote", "add", "origin", remote]);
  git(dir, ["push", "-q", "origin", "main"]);
  writeFileSync(join(dir, "scale.txt"), "3\n");
  writeFileSync(join(dir, "labels.csv"), Buffer.from("name,city\nJos\xe9,M\xfcnchen\n", "latin1"));
  git(dir, ["add", "scale.txt", "labels.csv"]);
  git(dir, ["commit", "-q", "-m", "scale"]);
  git(dir, ["push", "-q", "origin", "main"]);
  // uncommitted: the tasks must run with it, as a local run would, bytes that are not UTF-8 too
  writeFileSync(join(dir, "scale.txt"), "7\n");
  writeFileSync(join(dir, "labels.csv"), LATIN1);
  return { dir, remote, head: git(dir, ["rev-parse", "HEAD"]).trim() };
}

const LATIN1 = Buffer.from("name,city\nJos\xe9,K\xf6ln\n", "latin1");

/** The trial checks the Latin-1 file came through, reads the tracked file the patch changed, and logs seed times it. */
const TRIAL = `printf 'name,city\\nJos\\351,K\\366ln\\n' | cmp -s - labels.csv && printf '{"step": 1, "score": %s}\\n' "$(( $(cat scale.txt) * GIT_EXP_SEED ))" >> "$GIT_EXP_METRICS"`;

describe.skipIf(!here)("run --on slurm --push, nodes without the repository", () => {
  it("each task clones the remote, runs the dirty tree's code, pushes its experiment and claim; --wait pulls them here", async () => {
    const { dir, remote, head } = repoWithRemote();
    const scratch = tempDir();
    const r = await cli(dir, ["run", "--on", "slurm", "--push", "origin", "--wait", "--seed", "1,2", "--", TRIAL], { env: { TMPDIR: scratch } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pulled 2 experiment\(s\) from /);
    expect(r.stderr).toMatch(/sweep of 2: 2 completed/);
    const ids = git(dir, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).split("\n").filter(Boolean);
    expect(ids).toHaveLength(2);
    const exps = ids.map((id) => JSON.parse(binary(dir, ["show", id, "--json"]).stdout) as Shown);
    const sweep = exps[0]!.experiment.sweep.id;
    for (const e of exps) {
      expect(e.experiment.status).toBe("completed");
      // the submitter's code state: its commit and branch, dirty with its patch
      expect(e.experiment.source).toMatchObject({ commit: head, branch: "main", dirty: true });
      expect(e.results["score"]).toBe(7 * e.config.seed!);
      expect(e.env.slurm?.["array_task_id"]).toBe(String(e.config.seed! - 1));
    }
    const patch = execFileSync("git", ["cat-file", "blob", `${ids[0]}:patch.diff`], { cwd: dir });
    expect(patch.includes(Buffer.from("+7\n"))).toBe(true);
    expect(patch.includes(Buffer.from("K\xf6ln", "latin1"))).toBe(true);
    // the experiments and the done claims are on the remote; its objects are whole
    const onRemote = git(remote, ["for-each-ref", "--format=%(objecttype) %(refname)", "refs/experiments/", "refs/exp-claims/"]).split("\n").filter(Boolean);
    expect(onRemote.filter((l) => l.includes("refs/experiments/"))).toHaveLength(2);
    expect(onRemote.filter((l) => l.includes("refs/exp-claims/")).sort()).toEqual([0, 1].map((i) => `commit refs/exp-claims/${sweep}/${i}`));
    git(remote, ["fsck", "--no-progress"]);
    // nothing ran in the submitter's repository, and the clones are gone
    expect(git(dir, ["for-each-ref", "refs/exp-claims/"])).toBe("");
    expect(readFileSync(join(dir, "scale.txt"), "utf8")).toBe("7\n");
    expect(readdirSync(scratch).filter((n) => n.startsWith(`git-exp-${sweep}`))).toEqual([]);
    // a requeued task (the same script and array index again) finds its claim on the remote and runs nothing
    const script = readFileSync(join(dir, ".git", "exp", "studies", sweep, "job.sh"), "utf8");
    const study = /<<'GIT_EXP_STUDY'\n(.*)\nGIT_EXP_STUDY\n/s.exec(script)![1]!;
    const again = binary(scratch, ["worker", "--stdin"], { input: study, env: { TMPDIR: scratch, SLURM_JOB_ID: "99", SLURM_ARRAY_JOB_ID: "98", SLURM_ARRAY_TASK_ID: "0" } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`trial 1 of sweep ${sweep} is recorded on .* already \\(a requeued task\\); nothing to run`));
    expect(git(remote, ["for-each-ref", "refs/experiments/"]).split("\n").filter(Boolean)).toHaveLength(2);
    expect(readdirSync(scratch).filter((n) => n.startsWith(`git-exp-${sweep}`))).toEqual([]);
  }, 180_000);

  it("a commit the remote lacks is refused before anything is submitted", async () => {
    const { dir, remote } = repoWithRemote();
    git(dir, ["commit", "-q", "-am", "not pushed"]);
    const before = repoSnapshot(dir);
    const remoteBefore = repoSnapshot(remote);
    const r = await cli(dir, ["run", "--on", "slurm", "--push", "origin", "--seed", "1", "--", TRIAL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/commit [0-9a-f]{12} is not on origin, so the nodes could not clone it: push it first \('git push origin main'\); nothing was submitted/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(repoSnapshot(remote)).toBe(remoteBefore);
    expect(existsSync(join(dir, ".git", "exp", "studies"))).toBe(false);
  }, 30_000);

  it("a script git does not track, or a folder it tracks nothing in, is refused: the nodes' clones would lack it", async () => {
    const { dir } = repoWithRemote();
    writeFileSync(join(dir, "new.sh"), "true\n");
    mkdirSync(join(dir, "sub"));
    const before = repoSnapshot(dir);
    const script = await cli(dir, ["run", "--on", "slurm", "--push", "origin", "--", "sh", "new.sh"]);
    expect(script.code).toBe(2);
    expect(script.stderr).toMatch(/the command names new\.sh, which git does not track: with --push the nodes have only the commit and its tracked changes, so commit it \(or 'git add' it\) first; nothing was submitted/);
    const folder = await cli(join(dir, "sub"), ["run", "--on", "slurm", "--push", "origin", "--", "true"]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/the command runs in sub\/, which holds no file git tracks/);
    expect(repoSnapshot(dir)).toBe(before);
    expect(existsSync(join(dir, ".git", "exp", "studies"))).toBe(false);
  }, 30_000);

  it("--push without --on slurm, with a search, or naming no remote is refused", async () => {
    const { dir } = repoWithRemote();
    const before = repoSnapshot(dir);
    const alone = await cli(dir, ["run", "--push", "origin", "--", "true"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--push goes with --on slurm/);
    writeFileSync(join(dir, "sweep.yaml"), "method: random\nmetric: {name: score, goal: maximize}\nrun_cap: 2\nparameters:\n  lr: {min: 0.1, max: 1.0}\n");
    const search = await cli(dir, ["run", "--on", "slurm", "--push", "origin", "--sweep", "sweep.yaml", "--", "true"]);
    expect(search.code).toBe(2);
    expect(search.stderr).toMatch(/--push runs a grid or seeds; a --sweep search needs a repository the nodes share/);
    const unknown = await cli(dir, ["run", "--on", "slurm", "--push", "nowhere", "--", "true"]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no remote named 'nowhere'/);
    expect(repoSnapshot(dir)).toBe(before);
  }, 30_000);
});

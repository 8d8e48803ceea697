import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The demo's repository, built in `repo` (an empty folder): a small training script
 * (logistic regression on Iris, plain Node) committed on main, a sweep of six points recorded
 * with `git exp run` (iris-1 ... iris-6), then a second commit that changes the code and one
 * more run on it (iris-l2). `npm run demo` shows it; the documentation's examples run in it.
 */
export const ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/** The folder holding git-exp's package.json: this file runs from tests/demo and from dist/tests/demo. */
function packageRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}

/** The environment the demo's commands run with: git-exp's bin/ first on PATH, a fixed identity. */
export function demoEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${join(ROOT, "bin")}:${base["PATH"] ?? ""}`,
    GIT_AUTHOR_NAME: base["GIT_AUTHOR_NAME"] ?? "Demo User",
    GIT_AUTHOR_EMAIL: base["GIT_AUTHOR_EMAIL"] ?? "demo@example.com",
    GIT_COMMITTER_NAME: base["GIT_COMMITTER_NAME"] ?? "Demo User",
    GIT_COMMITTER_EMAIL: base["GIT_COMMITTER_EMAIL"] ?? "demo@example.com",
    NO_COLOR: "1",
  };
}

export type Runner = (cmd: string, args: string[], options?: { quiet?: boolean; tail?: number }) => string;

/** A runner that runs quietly in `repo`: for building the repository without showing it. */
export function quietRunner(repo: string, env: NodeJS.ProcessEnv): Runner {
  return (cmd, args) => execFileSync(cmd, args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
}

export function buildDemoRepository(repo: string, run: Runner): void {
  const commit = (message: string): void => {
    execFileSync("git", ["add", "-A"], { cwd: repo, stdio: "ignore" });
    execFileSync("git", ["commit", "-q", "-m", message], { cwd: repo, stdio: "ignore", env: demoEnv() });
  };
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo, stdio: "ignore" });
  mkdirSync(join(repo, "train"));
  for (const f of ["logreg.mjs", "iris.csv"]) copyFileSync(join(ROOT, "fixtures", "train", f), join(repo, "train", f));
  commit("logistic regression on Iris");

  // A sweep: 3 learning rates x 2 epoch counts, two at a time, each run recorded.
  run("git", ["exp", "run", "--name", "iris", "-p", "lr=0.05,0.2,0.8", "-p", "epochs=10,40", "--seed", "0", "-j", "2", "--input", "train/iris.csv", "--", "node", "train/logreg.mjs"]);

  // The code changes: L2 regularisation by default. Another run on the new commit.
  const script = join(repo, "train", "logreg.mjs");
  writeFileSync(script, readFileSync(script, "utf8").replace("l2: 0,", "l2: 0.001,"));
  commit("L2 regularisation by default");
  run("git", ["exp", "run", "--name", "iris-l2", "-p", "lr=0.8", "-p", "epochs=40", "--seed", "0", "--input", "train/iris.csv", "--", "node", "train/logreg.mjs"], { quiet: true, tail: 3 });
}

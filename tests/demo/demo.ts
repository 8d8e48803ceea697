import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run demo`: a throw-away repository under the system temp folder holding a small
 * training script (logistic regression on Iris, plain Node), a real sweep recorded with
 * `git exp run`, then the commands a user would run to look at the results.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const repo = mkdtempSync(join(tmpdir(), "git-exp-demo-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${join(ROOT, "bin")}:${process.env["PATH"] ?? ""}`,
  GIT_AUTHOR_NAME: process.env["GIT_AUTHOR_NAME"] ?? "Demo User",
  GIT_AUTHOR_EMAIL: process.env["GIT_AUTHOR_EMAIL"] ?? "demo@example.com",
  GIT_COMMITTER_NAME: process.env["GIT_COMMITTER_NAME"] ?? "Demo User",
  GIT_COMMITTER_EMAIL: process.env["GIT_COMMITTER_EMAIL"] ?? "demo@example.com",
  NO_COLOR: "1",
};

function run(cmd: string, args: string[], options: { show?: boolean; quiet?: boolean; tail?: number } = {}): string {
  const show = options.show ?? true;
  if (show) process.stdout.write(`\n$ ${[cmd, ...args].map((a) => (/[\s"'<>=]/.test(a) ? `'${a}'` : a)).join(" ")}\n`);
  const out = execFileSync(cmd, args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", options.quiet ? "ignore" : "inherit"], maxBuffer: 1 << 26 });
  if (show) {
    const lines = out.split("\n");
    const shown = options.tail !== undefined && lines.length > options.tail + 1 ? ["  ...", ...lines.slice(-options.tail - 1)] : lines;
    process.stdout.write(shown.join("\n"));
  }
  return out;
}

function commit(message: string): void {
  run("git", ["add", "-A"], { show: false });
  run("git", ["commit", "-q", "-m", message], { show: false });
}

process.stdout.write(`git-exp demo in ${repo}\n`);
run("git", ["init", "-q", "-b", "main"], { show: false });
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

run("git", ["exp", "ls", "--columns", "id,name,params.lr,params.epochs,metrics.val.accuracy,metrics.val.loss"]);
run("git", ["exp", "top", "val.loss", "--min", "--limit", "5"]);
const best = JSON.parse(run("git", ["exp", "top", "val.loss", "--min", "--limit", "1", "--json"], { show: false })) as { rows: { id: string }[] };
const bestId = best.rows[0]?.id;
if (bestId) run("git", ["exp", "show", bestId.slice(0, 10)]);
run("git", ["exp", "trend", "val.loss", "--min", "--along", "main"]);
run("git", ["exp", "ls", "--where", "params.epochs = 40 and metrics.val.accuracy >= 0.8", "--sort", "metrics.val.loss"]);
run("git", ["exp", "plot", "val.loss", "--color-by", "params.lr", "-o", "val-loss.svg"]);
run("git", ["exp", "report", "--metric", "val.loss", "-o", "report.html"]);
process.stdout.write(`\nThe repository stays at ${repo}: open report.html and val-loss.svg there, or try more commands (git exp --help).\n`);

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDemoRepository, demoEnv, type Runner } from "./demo-repo.js";

/**
 * `npm run demo`: a throw-away repository under the system temp folder holding a small
 * training script (logistic regression on Iris, plain Node), a real sweep recorded with
 * `git exp run`, then the commands a user would run to look at the results.
 */
const repo = mkdtempSync(join(tmpdir(), "git-exp-demo-"));
const env = demoEnv();

const run: Runner = (cmd, args, options = {}) => {
  process.stdout.write(`\n$ ${[cmd, ...args].map((a) => (/[\s"'<>=]/.test(a) ? `'${a}'` : a)).join(" ")}\n`);
  const out = execFileSync(cmd, args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", options.quiet ? "ignore" : "inherit"], maxBuffer: 1 << 26 });
  const lines = out.split("\n");
  const shown = options.tail !== undefined && lines.length > options.tail + 1 ? ["  ...", ...lines.slice(-options.tail - 1)] : lines;
  process.stdout.write(shown.join("\n"));
  return out;
};

process.stdout.write(`git-exp demo in ${repo}\n`);
buildDemoRepository(repo, run);

run("git", ["exp", "ls", "--columns", "id,name,params.lr,params.epochs,metrics.val.accuracy,metrics.val.loss"]);
run("git", ["exp", "top", "val.loss", "--min", "--limit", "5"]);
const best = JSON.parse(execFileSync("git", ["exp", "top", "val.loss", "--min", "--limit", "1", "--json"], { cwd: repo, env, encoding: "utf8" })) as { rows: { id: string }[] };
const bestId = best.rows[0]?.id;
if (bestId) run("git", ["exp", "show", bestId.slice(0, 10)]);
run("git", ["exp", "trend", "val.loss", "--min", "--along", "main"]);
run("git", ["exp", "ls", "--where", "params.epochs = 40 and metrics.val.accuracy >= 0.8", "--sort", "metrics.val.loss"]);
run("git", ["exp", "plot", "val.loss", "--color-by", "params.lr", "-o", "val-loss.svg"]);
run("git", ["exp", "report", "--metric", "val.loss", "-o", "report.html"]);
process.stdout.write(`\nThe repository stays at ${repo}: open report.html and val-loss.svg there, or try the README's tour there (git exp --help lists every command).\n`);

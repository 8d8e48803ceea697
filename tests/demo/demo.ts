import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run demo`: a throw-away repository under the system temp folder, experiments
 * recorded from fixtures/, then the commands a user would run to look at them.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const FIXTURES = join(ROOT, "fixtures", "demo");
const repo = mkdtempSync(join(tmpdir(), "git-exp-demo-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${join(ROOT, "bin")}:${process.env["PATH"] ?? ""}`,
  GIT_AUTHOR_NAME: process.env["GIT_AUTHOR_NAME"] ?? "Demo User",
  GIT_AUTHOR_EMAIL: process.env["GIT_AUTHOR_EMAIL"] ?? "demo@example.com",
  GIT_COMMITTER_NAME: process.env["GIT_COMMITTER_NAME"] ?? "Demo User",
  GIT_COMMITTER_EMAIL: process.env["GIT_COMMITTER_EMAIL"] ?? "demo@example.com",
};

function run(cmd: string, args: string[], show = true): string {
  if (show) process.stdout.write(`\n$ ${[cmd, ...args].map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
  const out = execFileSync(cmd, args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (show) process.stdout.write(out);
  return out;
}

process.stdout.write(`git-exp demo in ${repo}\n`);
run("git", ["init", "-q", "-b", "main"], false);
writeFileSync(join(repo, "train.py"), "# the training code these experiments came from\n");
run("git", ["add", "train.py"], false);
run("git", ["commit", "-q", "-m", "training code"], false);

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".config.json"))
  .map((f) => f.replace(".config.json", ""))
  .sort();
let day = 1;
for (const name of names) {
  const f = (kind: string): string => join(FIXTURES, `${name}.${kind}`);
  env["GIT_AUTHOR_DATE"] = `2026-11-${String(day++).padStart(2, "0")}T10:00:00Z`;
  run("git", ["exp", "record", "--config", f("config.json"), "--results", f("results.json"), "--series", f("series.jsonl"), "--name", name]);
}
delete env["GIT_AUTHOR_DATE"];

run("git", ["exp", "ls"]);
run("git", ["exp", "show", "adam"]);
run("git", ["for-each-ref", "refs/experiments/"]);
process.stdout.write(`\nThe repository stays at ${repo} for you to try more commands (git exp --help).\n`);

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { main } from "../../src/cli/main.js";
import type { IO } from "../../src/cli/io.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin", "git-exp");
export const FIXTURES = join(ROOT, "fixtures");

/** Fixed identity and time so ids are reproducible across runs and machines. */
export const TEST_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: "Ada Lovelace",
  GIT_AUTHOR_EMAIL: "ada@example.com",
  GIT_COMMITTER_NAME: "Ada Lovelace",
  GIT_COMMITTER_EMAIL: "ada@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  // No resident index process outliving a test's repository (tests/resident.test.ts starts its own).
  GIT_EXP_RESIDENT: "0",
};

const made: string[] = [];

/** A fresh temporary directory, removed by cleanup(). */
export function tempDir(prefix = "git-exp-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...TEST_ENV, ...env }, encoding: "utf8" });
}

/** A real git repository; with `commit`, one commit on main so experiments have a source. */
export function makeRepo(options: { commit?: boolean; objectFormat?: "sha1" | "sha256" } = {}): string {
  const dir = tempDir();
  git(dir, ["init", "-q", "-b", "main", ...(options.objectFormat ? [`--object-format=${options.objectFormat}`] : [])]);
  git(dir, ["config", "user.name", "Ada Lovelace"]);
  git(dir, ["config", "user.email", "ada@example.com"]);
  if (options.commit) {
    writeFileSync(join(dir, "train.py"), "print('train')\n");
    git(dir, ["add", "train.py"]);
    git(dir, ["commit", "-q", "-m", "first"], { GIT_AUTHOR_DATE: "@1700000000 +0000", GIT_COMMITTER_DATE: "@1700000000 +0000" });
  }
  return dir;
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in process (fast): the same main() the binary runs, with buffers as IO. */
export async function cli(
  cwd: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; tty?: boolean; stdinIsTTY?: boolean } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: IO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: () => Readable.from([options.input ?? ""]),
    cwd,
    env: { ...process.env, ...TEST_ENV, ...options.env },
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    stdinIsTTY: options.stdinIsTTY ?? false,
    columns: 120,
  };
  const saved = { ...process.env };
  Object.assign(process.env, TEST_ENV, options.env);
  try {
    const code = await main(args, io);
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Run the built binary as a user would (needs `npm run build`). */
export function binary(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(BIN, args, {
    cwd,
    input: options.input ?? "",
    env: { ...process.env, ...TEST_ENV, ...options.env },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every ref and every object count: to prove a refused command wrote nothing. */
export function repoSnapshot(dir: string): string {
  const refs = git(dir, ["for-each-ref", "--format=%(refname) %(objectname)"]);
  const objects = git(dir, ["count-objects", "-v"]).replace(/^size.*$/gm, "");
  return refs + objects;
}

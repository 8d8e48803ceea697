import { spawn } from "node:child_process";
import { EnvironmentError } from "../core/errors.js";

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** The whole environment git runs in: the repository's (the workspace's), never the process's by default. */
  env: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
}

/** A git command that exited non-zero where success was required. */
export class GitCommandError extends EnvironmentError {
  constructor(
    readonly args: string[],
    readonly result: GitResult,
  ) {
    super(`git ${args.join(" ")} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
}

/** Run the system git once and collect its output; never throws for a non-zero exit. */
export function runGit(args: string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: { ...options.env, LC_ALL: "C" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new EnvironmentError("git is not installed or not on PATH; install git 2.30 or newer", { cause: e }));
      else reject(e);
    });
    child.on("close", (code) => {
      resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.on("error", () => {
      // git may exit before reading all input; its exit code tells what happened
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Run git and return stdout as text; throws GitCommandError on a non-zero exit. */
export async function git(args: string[], options: GitOptions): Promise<string> {
  const r = await runGit(args, options);
  if (r.code !== 0) throw new GitCommandError(args, r);
  return r.stdout.toString("utf8");
}

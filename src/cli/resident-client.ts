import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { FRAME, frameReader, type CommandRequest } from "../core/resident-wire.js";

/**
 * The query commands the resident index process answers: read-only, no stdin, no terminal
 * questions, nothing that runs for long. Everything else runs in the process started.
 */
const SERVED = new Set(["sql", "top", "ls", "list", "show", "diff", "compare"]);

/** Variables that make git find another repository than the folder says: then no resident process. */
const REPOSITORY_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE"];

/** How long a resident process waits for the next command before it exits (GIT_EXP_RESIDENT_IDLE seconds). */
export const DEFAULT_IDLE_S = 300;

/**
 * Run a query command through the repository's resident index process; null when this
 * process must run it itself (not a served command, turned off, no repository found, no
 * resident process yet: then one is started for the next command). Costs a few stat calls
 * and a round trip on a local socket, where loading the CLI and DuckDB costs ~1.5 times
 * Node's own start.
 */
export async function runResident(argv: string[], bundle: string): Promise<number | null> {
  const env = process.env;
  if (env["GIT_EXP_RESIDENT"] === "0" || !served(argv)) return null;
  const socketPath = residentSocket(process.cwd(), env, bundle);
  if (!socketPath) return null;
  const request: CommandRequest = {
    kind: "command",
    argv,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns || Number(env["COLUMNS"]) || (process.stdout.isTTY ? 100 : null),
  };
  const answer = await ask(socketPath, request);
  if (answer === "absent") start(socketPath);
  return typeof answer === "number" ? answer : null;
}

function served(argv: string[]): boolean {
  if (!SERVED.has(argv[0] ?? "") || argv.includes("--allow-files")) return false;
  return !argv.some((a) => a === "-h" || a === "--help" || a === "--version");
}

/**
 * The socket of the resident process for the repository `cwd` is in and this build of
 * git-exp (`bundle`), or null when none may serve there.
 */
export function residentSocket(cwd: string, env: NodeJS.ProcessEnv, bundle: string): string | null {
  try {
    return socketFor(cwd, env, bundle);
  } catch {
    return null; // a .git file naming nothing, a folder not readable: git itself will say
  }
}

function socketFor(cwd: string, env: NodeJS.ProcessEnv, bundle: string): string | null {
  if (REPOSITORY_ENV.some((k) => env[k] !== undefined)) return null;
  const gitDir = findGitDir(cwd);
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!gitDir || !built) return null;
  const { size, mtimeMs } = built;
  const key = createHash("sha1").update(`${gitDir}\0${size}-${mtimeMs}\0${process.execPath}`).digest("hex").slice(0, 24);
  const dir = join(tmpdir(), `git-exp-${process.getuid?.() ?? "user"}`);
  const path = join(dir, `${key}.sock`);
  // A socket's path is limited to ~107 bytes; a long TMPDIR means no resident process.
  if (Buffer.byteLength(path) > 100) return null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    // Another user's folder of that name: never talk to what it holds.
    if (process.getuid && st.uid !== process.getuid()) return null;
  } catch {
    return null;
  }
  return path;
}

/** The git directory git would find from `cwd`: the nearest `.git` folder, or the one a `.git` file (a worktree) names. */
function findGitDir(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    const st = statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return realpathSync(dotGit);
    if (st?.isFile()) {
      const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"));
      return m ? realpathSync(resolve(dir, m[1]!.trim())) : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Send the command and copy its output here as it comes; the exit code, or "absent" when no
 * process listens, or "failed" when it went away before saying anything (then this process
 * runs the command). Once output has been written, losing it is an error of its own.
 */
function ask(socketPath: string, request: CommandRequest): Promise<number | "absent" | "failed"> {
  return new Promise((done) => {
    let said = false;
    let finished = false;
    const socket = connect(socketPath);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (finished) return;
      finished = true;
      if (!said) return done(e.code === "ENOENT" || e.code === "ECONNREFUSED" ? "absent" : "failed");
      process.stderr.write(`git exp: the resident index process went away mid-answer (${e.message}); run the command again\n`);
      done(4);
    });
    socket.on("connect", () => socket.write(JSON.stringify(request) + "\n"));
    socket.on(
      "data",
      frameReader((kind, payload) => {
        if (kind === FRAME.stdout || kind === FRAME.stderr) {
          said = true;
          (kind === FRAME.stdout ? process.stdout : process.stderr).write(payload);
        } else if (kind === FRAME.exit && !finished) {
          finished = true;
          done(Number(payload.toString("latin1")));
        }
      }),
    );
    socket.on("close", () => {
      if (finished) return;
      finished = true;
      if (!said) return done("failed");
      process.stderr.write("git exp: the resident index process went away mid-answer; run the command again\n");
      done(4);
    });
  });
}

/** Start the resident process for the next command, detached: this command does not wait for it. */
function start(socketPath: string): void {
  const bin = process.argv[1];
  if (!bin) return;
  try {
    const child = spawn(process.execPath, [bin, "resident", socketPath], {
      detached: true,
      stdio: "ignore",
      cwd: process.cwd(),
      env: { ...process.env, GIT_EXP_RESIDENT: "0" },
    });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // no resident process: every command opens the index itself, as before
  }
}

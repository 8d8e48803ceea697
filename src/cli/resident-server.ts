import { chmodSync, existsSync, rmSync, statSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { Readable } from "node:stream";
import { residentIndex } from "../api/resident-index.js";
import type { SharedIndex } from "../api/workspace.js";
import { FRAME, frame, type CommandRequest, type ResidentRequest } from "../core/resident-wire.js";
import type { IO } from "./io.js";

type Main = (argv: string[], io: IO, options: { sharedIndex: SharedIndex }) => Promise<number>;

/**
 * The resident index process of one repository: it listens on `socketPath`, runs the query
 * commands short-lived `git exp` processes send it, one at a time, against an index it keeps
 * open (brought up to date whenever the refs move, as every command does), and exits after
 * `idleMs` without a command, or when its repository is gone. It is the only writer of the
 * index while it holds it: a writer elsewhere asks it to let go first (releaseResident).
 */
export async function serveResident(socketPath: string, idleMs: number, main: Main): Promise<void> {
  const held = residentIndex(socketPath, idleMs);
  let queue: Promise<unknown> = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;
  let server: Server;
  const stop = (): void => {
    held.close();
    server.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  };
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => void (queue = queue.then(stop)), idleMs);
  };

  const handle = (socket: Socket, request: ResidentRequest): void => {
    armIdle();
    queue = queue.then(async () => {
      if (request.kind === "release") {
        held.release();
        socket.end(frame(FRAME.released, ""));
        return;
      }
      const code = await runCommand(main, held.shared, socket, request);
      // An environment error or a bug (4, 70), not a "no" or a user's mistake: start afresh.
      if (code >= 4) await held.forget();
      armIdle();
    });
  };

  server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => undefined); // the client went away (Ctrl-C): its command still finishes
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      socket.removeAllListeners("data");
      try {
        handle(socket, JSON.parse(text.slice(0, nl)) as ResidentRequest);
      } catch {
        socket.destroy();
      }
    });
  });
  await listen(server, socketPath);
  armIdle();
  // A repository deleted (a temporary one) ends its resident process without waiting out the idle time.
  const started = process.cwd();
  setInterval(() => {
    if (!existsSync(started) || held.gitDirs().some((gitDir) => !existsSync(gitDir))) queue = queue.then(stop);
  }, GONE_CHECK_MS).unref();
}

const GONE_CHECK_MS = 10_000;

/** Run one command as its client would have, with the client's folder, environment and terminal. */
async function runCommand(main: Main, sharedIndex: SharedIndex, socket: Socket, r: CommandRequest): Promise<number> {
  const send = (kind: number, data: string | Uint8Array): void => {
    if (!socket.destroyed) socket.write(frame(kind, data));
  };
  const io: IO = {
    stdout: (t) => send(FRAME.stdout, t),
    stderr: (t) => send(FRAME.stderr, t),
    writeBytes: (stream, data) => send(stream === "stdout" ? FRAME.stdout : FRAME.stderr, data),
    stdin: () => Readable.from([]),
    cwd: r.cwd,
    env: r.env,
    stdoutIsTTY: r.stdoutIsTTY,
    stderrIsTTY: r.stderrIsTTY,
    stdinIsTTY: false,
    columns: r.columns ?? Infinity,
  };
  // git and everything else this command starts sees the client's environment, as it would
  // have in the client's own process; this process's own is put back after.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, r.env);
  let code = 70;
  try {
    code = await main(r.argv, io, { sharedIndex });
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
    send(FRAME.exit, String(code));
    socket.end();
  }
  return code;
}

/**
 * Listen on the socket, only this user may connect. Another process already answering there
 * (two commands started one each): this one exits. A socket left by a killed process is replaced.
 */
async function listen(server: Server, socketPath: string): Promise<void> {
  const umask = process.umask(0o177);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(socketPath, () => {
            server.removeListener("error", reject);
            resolve();
          });
        });
        chmodSync(socketPath, 0o600);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt > 0) throw e;
        if (await answers(socketPath)) process.exit(0);
        if (statSync(socketPath, { throwIfNoEntry: false })?.isSocket()) rmSync(socketPath, { force: true });
      }
    }
  } finally {
    process.umask(umask);
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

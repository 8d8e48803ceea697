import { readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

/**
 * The wire of the resident index process (one per repository, which holds the index open and
 * runs query commands for short-lived `git exp` processes, as `git fsmonitor--daemon` does
 * for git): a request is one JSON line; the answer is frames of one kind byte, a 4-byte
 * big-endian length and the payload. Only node's own modules here: the client loads this
 * before anything else of git-exp.
 */
export const FRAME = { stdout: 1, stderr: 2, exit: 3, released: 4 } as const;

export interface CommandRequest {
  kind: "command";
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** null: no width limit (a pipe). */
  columns: number | null;
}

/** Close the index now, for a writer in another process; answered once it is closed. */
export interface ReleaseRequest {
  kind: "release";
}

export type ResidentRequest = CommandRequest | ReleaseRequest;

export function frame(kind: number, payload: string | Uint8Array): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const head = Buffer.allocUnsafe(5);
  head[0] = kind;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Calls `onFrame` for each whole frame as bytes arrive. */
export function frameReader(onFrame: (kind: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let pos = 0;
    while (buf.length - pos >= 5) {
      const len = buf.readUInt32BE(pos + 1);
      if (buf.length - pos - 5 < len) break;
      onFrame(buf[pos]!, buf.subarray(pos + 5, pos + 5 + len));
      pos += 5 + len;
    }
    buf = buf.subarray(pos);
  };
}

/** Where each resident process of a repository says which socket it listens on: `<exp dir>/resident/<pid>`. */
export function residentsDir(expDir: string): string {
  return join(expDir, "resident");
}

/**
 * Before a process writes the index, every resident process of the repository (another
 * build, another environment) closes its handle: DuckDB lets one process write a file only
 * while no other holds it open. Resolves when they have; one that does not answer is left to
 * DuckDB's lock wait, as without it, and the note of one that is gone is removed.
 */
export async function releaseResidents(expDir: string, timeoutMs: number): Promise<void> {
  const dir = residentsDir(expDir);
  let pids: string[];
  try {
    pids = readdirSync(dir).filter((n) => /^\d+$/.test(n) && n !== String(process.pid));
  } catch {
    return; // none was ever started here
  }
  await Promise.all(
    pids.map(async (pid) => {
      let socket: string;
      try {
        socket = readFileSync(join(dir, pid), "utf8");
      } catch {
        return;
      }
      // A process writes its note only once it listens: no answer at all means it is gone.
      if ((await releaseResident(socket, timeoutMs)) === "absent") rmSync(join(dir, pid), { force: true });
    }),
  );
}

function releaseResident(socketPath: string, timeoutMs: number): Promise<"released" | "absent" | "silent"> {
  return new Promise((resolve) => {
    let answer: "released" | "absent" | "silent" = "silent";
    const socket = connect(socketPath);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "ECONNREFUSED") answer = "absent";
      done();
    });
    socket.on("close", done);
    socket.on("connect", () => socket.write(JSON.stringify({ kind: "release" } satisfies ReleaseRequest) + "\n"));
    socket.on(
      "data",
      frameReader((kind) => {
        if (kind !== FRAME.released) return;
        answer = "released";
        done();
      }),
    );
  });
}

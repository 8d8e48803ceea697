/**
 * The wire of the resident index process (one per repository, which holds the index open and
 * runs query commands for short-lived `git exp` processes, as `git fsmonitor--daemon` does
 * for git): a request is one JSON line; the answer is frames of one kind byte, a 4-byte
 * big-endian length and the payload. Nothing but Buffer here: the client loads this before
 * anything else of git-exp.
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

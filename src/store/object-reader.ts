import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { EnvironmentError } from "../core/errors.js";

export interface RawObject {
  id: string;
  type: string;
  data: Buffer;
}
export type ObjectCallback = (obj: RawObject | null) => void;

/**
 * One long-lived `git cat-file --batch`: requests are pipelined and answered in order,
 * so reading 100,000 objects costs one process and no promise per object.
 */
export class ObjectReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ObjectCallback[] = [];
  private buf: Buffer = Buffer.alloc(0);
  /** Requests not yet written to git (see send). */
  private outgoing = "";
  /** Where the unread part of `buf` starts. */
  private pos = 0;
  private readonly parts: Buffer[] = [];
  private partsLength = 0;
  private header: { id: string; type: string; size: number } | null = null;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  /** `extraArgs`: `--buffer` for a reader fed every request up front and then closed; `env`: the repository's. */
  constructor(cwd: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env) {
    // Objects as stored, never through `git replace`: what reads them checks them against their ids.
    this.child = spawn("git", ["--no-replace-objects", "cat-file", "--batch", ...extraArgs], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.child.stdin.on("error", () => {
      // reported through 'exit' below
    });
    let stderr = "";
    this.child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    this.exited = new Promise((resolve) => {
      this.child.on("error", (e: NodeJS.ErrnoException) => {
        this.fail(e.code === "ENOENT" ? new EnvironmentError("git is not installed or not on PATH") : e);
        resolve();
      });
      this.child.on("close", (code) => {
        if (this.waiting.length > 0) this.fail(new EnvironmentError(`git cat-file exited (${code}): ${stderr.trim()}`));
        resolve();
      });
    });
  }

  /** Ask for an object by id or rev (`<id>^{tree}`, `<id>:path`); null when missing. */
  request(spec: string, cb: ObjectCallback): void {
    if (this.failure) throw this.failure;
    if (/[\n\r]/.test(spec)) {
      cb(null);
      return;
    }
    this.waiting.push(cb);
    this.send(spec + "\n");
  }

  read(spec: string): Promise<RawObject | null> {
    return new Promise((resolve, reject) => {
      try {
        this.request(spec, resolve);
      } catch (e) {
        reject(e);
      }
    });
  }

  /** Resolves when every request so far has been answered. */
  drain(): Promise<void> {
    if (this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push(() => resolve());
      this.send("\n");
    });
  }

  async close(): Promise<void> {
    this.flush();
    this.child.stdin.end();
    await this.exited;
  }

  /**
   * Requests made in one go (a loop over thousands) leave in one write once it is done,
   * not in a system call each; in order, drain()'s empty line included.
   */
  private send(line: string): void {
    if (this.outgoing === "") queueMicrotask(() => this.flush());
    this.outgoing += line;
  }

  private flush(): void {
    if (this.outgoing === "") return;
    const text = this.outgoing;
    this.outgoing = "";
    this.child.stdin.write(text);
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const cb of this.waiting.splice(0)) cb(null);
  }

  private onData(chunk: Buffer): void {
    if (this.header) {
      // A large object arrives in many chunks: gather them and join once, not per chunk.
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.buf.length - this.pos + this.partsLength < this.header.size + 1) return;
      chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      this.parts.length = 0;
      this.partsLength = 0;
    }
    const buf = this.pos >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    // Objects are mostly small, a few hundred to a chunk: walk an offset, cut nothing but the data.
    let pos = 0;
    for (;;) {
      if (!this.header) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        this.header = parseHeader(buf, pos, nl);
        pos = nl + 1;
        // "<spec> missing", "<spec> ambiguous", or the answer to drain()'s empty line
        if (!this.header) this.waiting.shift()?.(null);
        continue;
      }
      const end = pos + this.header.size;
      if (end + 1 > buf.length) break;
      const data = Buffer.allocUnsafe(this.header.size);
      buf.copy(data, 0, pos, end);
      pos = end + 1;
      const { id, type } = this.header;
      this.header = null;
      this.waiting.shift()?.({ id, type, data });
    }
    this.buf = buf;
    this.pos = pos;
  }
}

/** "<id> <type> <size>" between `start` and the newline at `nl`; null for any other line. */
function parseHeader(buf: Buffer, start: number, nl: number): { id: string; type: string; size: number } | null {
  const sp1 = buf.indexOf(32, start);
  const sp2 = sp1 < 0 || sp1 > nl ? -1 : buf.indexOf(32, sp1 + 1);
  if (sp2 < 0 || sp2 + 1 >= nl) return null;
  let size = 0;
  for (let i = sp2 + 1; i < nl; i++) {
    const digit = buf[i]! - 48;
    if (digit < 0 || digit > 9) return null;
    size = size * 10 + digit;
  }
  return { id: buf.toString("latin1", start, sp1), type: buf.toString("latin1", sp1 + 1, sp2), size };
}

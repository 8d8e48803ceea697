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
  private readonly parts: Buffer[] = [];
  private partsLength = 0;
  private header: { id: string; type: string; size: number } | null = null;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  /** `extraArgs`: `--buffer` for a reader fed every request up front and then closed. */
  constructor(cwd: string, extraArgs: string[] = []) {
    this.child = spawn("git", ["cat-file", "--batch", ...extraArgs], { cwd, stdio: ["pipe", "pipe", "pipe"] });
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
    this.child.stdin.write(spec + "\n");
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
      this.child.stdin.write("\n");
    });
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
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
      if (this.buf.length + this.partsLength < this.header.size + 1) return;
      chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      this.parts.length = 0;
      this.partsLength = 0;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (!this.header) {
        const nl = this.buf.indexOf(10);
        if (nl < 0) return;
        const line = this.buf.toString("utf8", 0, nl);
        this.buf = this.buf.subarray(nl + 1);
        const parts = line.split(" ");
        if (parts.length === 3 && /^\d+$/.test(parts[2]!)) {
          this.header = { id: parts[0]!, type: parts[1]!, size: Number(parts[2]) };
        } else {
          // "<spec> missing", "<spec> ambiguous", or the answer to drain()'s empty line
          this.waiting.shift()?.(null);
          continue;
        }
      }
      const need = this.header.size + 1;
      if (this.buf.length < need) return;
      const data = Buffer.from(this.buf.subarray(0, this.header.size));
      this.buf = this.buf.subarray(need);
      const obj = { ...this.header, data };
      this.header = null;
      this.waiting.shift()?.(obj);
    }
  }
}

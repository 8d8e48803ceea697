import { readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { FRAME, frameReader, type ReleaseRequest } from "../core/resident-wire.js";

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

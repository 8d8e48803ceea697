import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";

/**
 * The index's writer lock: a file naming its holder by pid and by the pid's start time
 * (field 22 of /proc/<pid>/stat), so that a pid the system gave to another process since
 * is told apart from the writer that took the lock.
 */

/**
 * Create the lock, or false when it exists. The content is written to a file of its own
 * first and linked into place, so the lock never exists empty, not even when the disk fills
 * between creating it and writing it.
 */
export function takeLock(lock: string): boolean {
  const own = `${lock}.${process.pid}`;
  try {
    const fd = openSync(own, "w");
    try {
      const start = processStart(process.pid);
      writeSync(fd, start ? `${process.pid} ${start}` : String(process.pid));
    } finally {
      closeSync(fd);
    }
    linkSync(own, lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return false;
  } finally {
    rmSync(own, { force: true });
  }
}

/**
 * Whether the lock's holder may still be writing. Not when its pid is gone, when the pid now
 * belongs to a process started later, or when the process's command line shows it is not
 * git-exp (node running the CLI or a library user); where the system has no /proc, a live
 * pid is taken at its word.
 */
export function holderAlive(lock: string): boolean {
  let text: string;
  try {
    text = readFileSync(lock, "utf8");
  } catch {
    return false;
  }
  const [pidText, start] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  // An empty lock (an older git-exp, created but not yet written): its writer is alive this very moment.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 2000;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = processStart(pid);
  if (now === undefined) return true;
  if (start !== undefined && start !== now) return false;
  const command = commandLine(pid);
  return command === undefined || GIT_EXP.test(command);
}

/** A git-exp process: the CLI (bin/git-exp, the bundle), or node running it or the library. */
const GIT_EXP = /git-exp|(^|\/)node(js)?(\s|$)/;

/** When a process started, in clock ticks since boot; undefined without /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces: count fields after its end.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/**
 * Where a command would be found, as the shell finds it: a name with a slash is a path
 * (relative to `cwd`), any other name is looked up on PATH. Undefined when nothing
 * executable is there.
 */
export async function which(command: string, environ: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  if (command.includes("/")) {
    const p = isAbsolute(command) ? command : resolve(cwd, command);
    return (await isExecutable(p)) ? p : undefined;
  }
  const dirs = (environ["PATH"] ?? "").split(delimiter).filter(Boolean);
  const exts = process.platform === "win32" ? (environ["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of dirs) {
    for (const ext of exts) {
      const p = join(isAbsolute(dir) ? dir : resolve(cwd, dir), command + ext);
      if (await isExecutable(p)) return p;
    }
  }
  return undefined;
}

/** A regular file this user may execute. */
async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether a path exists but cannot be executed (a script without the x bit). */
export async function existsNotExecutable(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    return st.isFile() && !(await isExecutable(path));
  } catch {
    return false;
  }
}

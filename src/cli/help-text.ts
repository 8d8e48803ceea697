import { Readable } from "node:stream";
import { main } from "./main.js";

/**
 * The CLI's own help, as `git exp [command] --help` prints it into a pipe (no terminal, so
 * yargs does not wrap it): the one source of the man page and of docs/reference/.
 */
export async function helpText(args: string[]): Promise<string> {
  let out = "";
  await main(args, {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    stdin: () => Readable.from([]),
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    columns: 100,
  });
  return out;
}

/** The commands `git exp --help` lists, in its order. */
export function commandNames(help: string): string[] {
  return [...help.matchAll(/^ {2}git exp ([a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

/** The one-line description of each command, from `git exp --help`. */
export function commandSummaries(help: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of help.matchAll(/^ {2}git exp ([a-z][a-z-]*)(?: [^ ]+)*? {2,}(.+)$/gm)) out.set(m[1]!, m[2]!.replace(/\s*\[aliases: [^\]]*\]$/, "").trim());
  return out;
}

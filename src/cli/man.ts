import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "./main.js";
import { commandNames, helpText } from "./help-text.js";

function roffEscape(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .split("\n")
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join("\n");
}

/**
 * git turns `git exp --help` into `man git-exp`. The build writes that page from the CLI's
 * own help into man/man1/git-exp.1, where man finds it next to bin/ on PATH (man-db looks in
 * ../man of every PATH entry) and where `npm link` links it.
 */
async function manPage(): Promise<string> {
  const help = await helpText(["--help"]);
  const commands = commandNames(help);
  const parts = [
    `.TH GIT-EXP 1 "" "git-exp ${VERSION}" "git-exp manual"`,
    ".SH NAME",
    "git-exp \\- record machine-learning experiments in git and query them with SQL",
    ".SH SYNOPSIS",
    ".nf",
    roffEscape(help.trimEnd()),
    ".fi",
  ];
  for (const c of commands) {
    parts.push(`.SH "git exp ${c}"`, ".nf", roffEscape((await helpText([c, "--help"])).trimEnd()), ".fi");
  }
  parts.push(".SH SEE ALSO", "The README of git-exp and its docs/ folder: a user guide by task, the storage format (docs/storage.md), the index tables (docs/querying.md).");
  return parts.join("\n") + "\n";
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = join(here, "..", "..", "..", "man", "man1", "git-exp.1");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, await manPage());
}

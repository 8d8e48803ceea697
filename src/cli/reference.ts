import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { commandNames, commandSummaries, helpText } from "./help-text.js";

/**
 * The command reference in docs/reference/: one Markdown page per command holding its
 * `git exp <command> -h`, and an index of them, generated from the yargs definitions (the
 * same help as the man page), so it cannot say what the CLI does not. `npm run reference`
 * writes it; tests/reference.test.ts fails while the committed pages differ.
 */

const HEADER = "<!-- Generated from the CLI's help by `npm run reference` (src/cli/reference.ts); do not edit. -->";

/** File name -> content of every page, README.md (the index) included. */
export async function referencePages(): Promise<Map<string, string>> {
  const help = await helpText(["--help"]);
  const summaries = commandSummaries(help);
  const pages = new Map<string, string>();
  const rows: string[] = [];
  for (const name of commandNames(help)) {
    const text = (await helpText([name, "--help"])).trimEnd();
    const summary = summaries.get(name) ?? "";
    pages.set(`${name}.md`, [HEADER, "", `# git exp ${name}`, "", "```text", text, "```", ""].join("\n"));
    rows.push(`| [\`${name}\`](${name}.md) | ${summary.replace(/\|/g, "\\|")} |`);
  }
  pages.set(
    "README.md",
    [
      HEADER,
      "",
      "# Command reference",
      "",
      "Every command's options, as `git exp <command> -h` prints them. The guide by task is in",
      "[the docs](../../README.md#documentation); what the exit codes mean is in",
      "[exit codes](../exit-codes.md).",
      "",
      "| command | what it does |",
      "| --- | --- |",
      ...rows,
      "",
      "```text",
      help.trimEnd(),
      "```",
      "",
    ].join("\n"),
  );
  return pages;
}

/** Write the pages into `dir`, removing pages of commands that are gone. */
async function writeReference(dir: string): Promise<void> {
  const pages = await referencePages();
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".md") && !pages.has(f)) rmSync(join(dir, f));
  for (const [f, text] of pages) writeFileSync(join(dir, f), text);
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeReference(join(here, "..", "..", "..", "docs", "reference"));
}

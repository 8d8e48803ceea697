import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * The code blocks of the documentation that show `git exp` commands, for the doc test
 * (tests/docs.test.ts). The convention, written up in CONTRIBUTING.md:
 *
 * - A fenced block whose language is sh, bash, shell, console, zsh or none, and that has a
 *   line starting with `git exp` (or `$ git exp`), is run. With `$ ` prompts, only the
 *   prompted lines (and their `\` continuations) run and the rest is taken as output;
 *   without, the whole block is a bash script.
 * - HTML comments right above the fence steer it (they do not render):
 *   `<!-- doc-test: skip REASON -->` (a reason is required), `<!-- doc-test: exit N -->`
 *   (the block must end with exit status N), `<!-- doc-test: before ... -->` (a hidden bash
 *   script run first, e.g. to write the files the block reads).
 * - A block in another language (text, json, ...) with a `git exp` command line, and an
 *   indented (unfenced) `git exp` command, are errors: they would escape the test.
 */

export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Which `git exp` block of its file this is, from 1. */
  ordinal: number;
  script: string;
  before: string;
  skip: string | undefined;
  exit: number;
}

export interface DocProblem {
  file: string;
  line: number;
  message: string;
}

const SHELL = new Set(["", "sh", "bash", "shell", "console", "zsh"]);
const COMMAND = /^\s*(\$ )?git exp\b/;

/** README.md, CONTRIBUTING.md and every .md under docs/ except the generated reference. */
export function docFiles(root: string): string[] {
  const out = ["README.md", "CONTRIBUTING.md"];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) {
        if (rel !== join("docs", "reference")) walk(rel);
      } else if (e.name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out;
}

/** The blocks of one file and what is wrong with its markup. `file` is as reported. */
export function docBlocks(file: string, text: string): { blocks: DocBlock[]; problems: DocProblem[] } {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  const problems: DocProblem[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) {
      if (/^( {4}|\t)(\$ )?git exp\b/.test(lines[i]!) && !inList(lines, i)) {
        problems.push({ file, line: i + 1, message: "an indented code block shows a git exp command: fence it (```sh) so the doc test runs it" });
      }
      i++;
      continue;
    }
    const fence = open[2]!;
    const lang = open[3]!.toLowerCase();
    const start = i;
    const body: string[] = [];
    i++;
    while (i < lines.length && !lines[i]!.trimStart().startsWith(fence)) body.push(lines[i++]!);
    i++;
    if (!body.some((l) => COMMAND.test(l))) continue;
    const markers = markersAbove(lines, start);
    if (markers.problem) problems.push({ file, line: start + 1, message: markers.problem });
    if (!SHELL.has(lang)) {
      if (markers.skip === undefined) {
        problems.push({ file, line: start + 1, message: `a \`${lang}\` block shows a git exp command: make it \`sh\` so the doc test runs it, or mark it <!-- doc-test: skip REASON -->` });
      }
      continue;
    }
    blocks.push({ file, line: start + 1, ordinal: blocks.length + 1, script: scriptOf(body), before: markers.before, skip: markers.skip, exit: markers.exit });
  }
  return { blocks, problems };
}

/** An indented line inside a list item is the item's text, not a code block. */
function inList(lines: string[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j]!;
    if (l.trim() === "") return false;
    if (/^\s*([-*+]|\d+\.)\s/.test(l)) return true;
  }
  return false;
}

/** With prompts: the prompted commands and their continuations. Without: the whole block. */
function scriptOf(body: string[]): string {
  if (!body.some((l) => /^\s*\$ /.test(l))) return body.join("\n") + "\n";
  const out: string[] = [];
  let continued = false;
  for (const l of body) {
    const prompted = /^\s*\$ (.*)$/.exec(l);
    if (prompted) out.push(prompted[1]!);
    else if (continued) out.push(l);
    else continue;
    continued = /\\$/.test(out[out.length - 1]!);
  }
  return out.join("\n") + "\n";
}

interface Markers {
  skip: string | undefined;
  exit: number;
  before: string;
  problem: string | undefined;
}

/** The `<!-- doc-test: ... -->` comments directly above line `fence` (blank lines between are allowed). */
function markersAbove(lines: string[], fence: number): Markers {
  const found: Markers = { skip: undefined, exit: 0, before: "", problem: undefined };
  let j = fence - 1;
  while (j >= 0 && lines[j]!.trim() === "") j--;
  while (j >= 0 && lines[j]!.trim().endsWith("-->")) {
    let k = j;
    while (k >= 0 && !lines[k]!.includes("<!--")) k--;
    if (k < 0) break;
    const comment = lines.slice(k, j + 1).join("\n");
    const m = /^\s*<!--\s*doc-test:\s*(skip|exit|before)\b([\s\S]*?)-->\s*$/.exec(comment);
    if (!m) {
      if (/doc-test/.test(comment)) found.problem = `a doc-test marker must read <!-- doc-test: skip REASON -->, <!-- doc-test: exit N --> or <!-- doc-test: before ... -->, not ${comment.trim()}`;
      break;
    }
    const arg = m[2]!.trim();
    if (m[1] === "skip") {
      if (arg === "") found.problem = "<!-- doc-test: skip --> needs a reason";
      found.skip = arg || "(no reason)";
    } else if (m[1] === "exit") {
      if (!/^\d+$/.test(arg)) found.problem = `<!-- doc-test: exit N --> needs a number, not "${arg}"`;
      found.exit = Number(arg);
    } else found.before = m[2]!.replace(/^[ \t]*\n/, "") + (found.before ? `\n${found.before}` : "");
    j = k - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
  }
  return found;
}

/** Every doc file's blocks and problems, read from disk. */
export function allDocBlocks(root: string): { blocks: DocBlock[]; problems: DocProblem[] } {
  const blocks: DocBlock[] = [];
  const problems: DocProblem[] = [];
  for (const f of docFiles(root)) {
    const r = docBlocks(relative(root, join(root, f)), readFileSync(join(root, f), "utf8"));
    blocks.push(...r.blocks);
    problems.push(...r.problems);
  }
  return { blocks, problems };
}

import { UsageError } from "./errors.js";

/**
 * Split an option string as a POSIX shell would (`--partition=gpu --comment "two words"`):
 * blanks separate words, single quotes keep everything, double quotes keep all but `\"`
 * and `\\`, a backslash outside quotes keeps the next character. No expansion of any kind.
 */
export function splitShellWords(text: string, what: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`${what}: a single quote is not closed: ${text}`);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let part = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) j++;
        part += text[j]!;
        j++;
      }
      if (j >= text.length) throw new UsageError(`${what}: a double quote is not closed: ${text}`);
      word = (word ?? "") + part;
      i = j + 1;
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[i + 1]!;
      i += 2;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** One word quoted for `sh`, so that a script says exactly it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

import { InvalidInputError } from "./errors.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as UTF-8 text; bytes that are not UTF-8 are refused, never turned into U+FFFD. */
export function utf8Text(data: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(data);
  } catch {
    throw new InvalidInputError(`${what} is not valid UTF-8 text; convert it (iconv -t UTF-8) and try again`);
  }
}

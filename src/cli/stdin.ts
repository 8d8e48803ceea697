import { utf8Text } from "../core/utf8.js";
import type { IO } from "./io.js";

export async function readStdin(io: IO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin()) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return utf8Text(Buffer.concat(chunks), "stdin");
}

/** Lines of a stream, without holding the whole input in memory. */
export async function* linesOf(source: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of source) {
    rest += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const parts = rest.split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** The first line a person types, or "" when stdin ends first. */
export async function firstLine(io: IO): Promise<string> {
  for await (const line of linesOf(io.stdin())) return line;
  return "";
}

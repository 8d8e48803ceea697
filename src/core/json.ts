import { InvalidInputError } from "./errors.js";
import { LIMITS, jsonDepthProblem } from "./limits.js";

/**
 * JSON values as git-exp holds them. Integers beyond 2^53 are bigint so a seed such as
 * 18446744073709551615 survives a round trip exactly; every other number is a double.
 */
export type JsonPrimitive = string | number | bigint | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface ParseOptions {
  /** Accept Python's bare `NaN`, `Infinity` and `-Infinity` tokens (results, series). */
  allowNonFinite?: boolean;
  /** Named in error messages: a file path or `line 3 of stdin`. */
  source?: string;
}

/**
 * A run of 16+ digits that could be an integer literal: not the fraction or exponent of a
 * number (those always parse to the nearest double, as JSON.parse gives them), not followed
 * by a fraction or exponent. Only such a literal can exceed 2^53 and lose digits in
 * JSON.parse. A match inside a string costs the slow path, never a wrong number.
 */
const LONG_INTEGER = /(?<![.\deE+-])-?\d{16,}(?![.\deE])/;

/** False when JSON.parse reads every number of `text` exactly as the exact parser would. */
export function mayHoldLongInteger(text: string): boolean {
  return LONG_INTEGER.test(text);
}

/**
 * Parse JSON without silently changing a number. JSON.parse is used when the text cannot
 * hold an integer beyond 2^53; otherwise a small exact parser runs.
 */
export function parseJson(text: string, options: ParseOptions = {}): JsonValue {
  // Refused before parsing: everything that walks a value afterwards may recurse.
  const deep = jsonDepthProblem(text, options.source ?? "the JSON");
  if (deep) throw new InvalidInputError(deep, { file: options.source });
  if (!mayHoldLongInteger(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // fall through: the exact parser accepts NaN tokens where allowed and gives a position
    }
  }
  return new ExactParser(text, options).parseDocument();
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a key path (`["optimizer", "lr"]`); undefined when a step is missing. */
export function getPath(config: JsonObject, path: string[]): JsonValue | undefined {
  let node: JsonValue | undefined = config;
  for (const key of path) {
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

class ExactParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {}

  parseDocument(): JsonValue {
    this.skipWs();
    const value = this.parseValue();
    this.skipWs();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private fail(what: string): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < this.pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    const src = this.options.source ? `${this.options.source}: ` : "";
    throw new InvalidInputError(`${src}invalid JSON at line ${line}, column ${col}: ${what}`, {
      file: this.options.source,
      line,
      column: col,
    });
  }

  private skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  private parseValue(): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.parseObject();
      case "[":
        return this.parseArray();
      case '"':
        return this.parseString();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      case "N":
        return this.nonFinite("NaN", NaN);
      case "I":
        return this.nonFinite("Infinity", Infinity);
      case undefined:
        return this.fail("unexpected end of input");
      default:
        if (c === "-" && this.text.startsWith("-Infinity", this.pos)) return this.nonFinite("-Infinity", -Infinity);
        if (c === "-" || (c >= "0" && c <= "9")) return this.parseNumber();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token, expected ${word}`);
    this.pos += word.length;
    return value;
  }

  private nonFinite(word: string, value: number): number {
    if (!this.text.startsWith(word, this.pos)) this.fail("unexpected token");
    if (!this.options.allowNonFinite) {
      this.fail(`${word} is not allowed here (only results and metric series may hold NaN or Infinity)`);
    }
    this.pos += word.length;
    return value;
  }

  private parseNumber(): number | bigint {
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    if (!found) return this.fail("malformed number");
    this.pos += found[0].length;
    const literal = found[0];
    if (found[2] === undefined && found[3] === undefined) {
      const n = Number(literal);
      if (Number.isSafeInteger(n)) return n;
      return BigInt(literal);
    }
    const n = Number(literal);
    if (!Number.isFinite(n)) this.fail(`number ${literal} is too large for a double`);
    return n;
  }

  private parseString(): string {
    const start = this.pos;
    const t = this.text;
    let i = this.pos + 1;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) i++;
      else if (c < 0x20) {
        this.pos = i;
        this.fail("control character inside a string");
      }
    }
    if (i >= t.length) this.fail("unterminated string");
    this.pos = i + 1;
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail("bad escape in string");
    }
  }

  private parseArray(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.parseValue());
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "]") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or ]");
      }
    }
  }

  private parseObject(): JsonObject {
    this.pos++;
    const out: JsonObject = {};
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.parseString();
      this.skipWs();
      if (this.text[this.pos++] !== ":") {
        this.pos--;
        this.fail("expected :");
      }
      this.skipWs();
      // defineProperty keeps a "__proto__" key as data instead of changing the prototype
      Object.defineProperty(out, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipWs();
      const c = this.text[this.pos++];
      if (c === "}") return out;
      if (c !== ",") {
        this.pos--;
        this.fail("expected , or }");
      }
    }
  }
}

export interface CanonicalOptions {
  /**
   * What to do with NaN and infinities: `encode` writes the strings "NaN", "Infinity",
   * "-Infinity" (results and series), `refuse` throws naming the JSON path.
   */
  nonFinite?: "encode" | "refuse";
  /** Named in error messages. */
  source?: string;
}

const NON_FINITE_STRINGS: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * Canonical JSON of DESIGN.md: keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number form, exactly one trailing newline. Matches RFC 8785 for every value
 * RFC 8785 accepts, and extends it with exact bigints.
 */
export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  return write(value, null, null, options) + "\n";
}

/**
 * Where a container sits: the JSON path text is built from these only for an error
 * message, so a value written without error costs no path string.
 */
interface Place {
  parent: Place | null;
  key: string | number | null;
}

function pathText(parent: Place | null, key: string | number | null): string {
  const base = parent ? pathText(parent.parent, parent.key) : "$";
  if (key === null) return base;
  return typeof key === "number" ? `${base}[${key}]` : childPath(base, key);
}

function pathError(parent: Place | null, key: string | number | null, what: string, options: CanonicalOptions): never {
  const path = pathText(parent, key);
  const src = options.source ? `${options.source}: ` : "";
  throw new InvalidInputError(`${src}${what} at ${path}`, { file: options.source, path });
}

/**
 * `value` is at `key` of the container at `parent` (both null for the document itself),
 * `depth` containers down. Past the format's depth limit it is refused, not a stack overflow.
 */
function write(value: unknown, parent: Place | null, key: string | number | null, options: CanonicalOptions, depth = 0): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? String(Number(value)) : value.toString();
    case "number":
      if (Number.isFinite(value)) return JSON.stringify(value);
      if (options.nonFinite === "encode") return JSON.stringify(Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
      return pathError(parent, key, `${value} is not allowed (NaN and infinities may appear only in results and series)`, options);
    case "object":
      if (value === null) return "null";
      if (depth >= LIMITS.depth) return pathError(parent, key, `objects and arrays nest more than ${LIMITS.depth} levels deep`, options);
      if (Array.isArray(value)) return writeArray(value, { parent, key }, options, depth + 1);
      return writeObject(value as Record<string, unknown>, { parent, key }, options, depth + 1);
    default:
      return pathError(parent, key, `a ${typeof value} value cannot be stored as JSON`, options);
  }
}

function writeArray(value: unknown[], place: Place, options: CanonicalOptions, depth: number): string {
  let out = "[";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === undefined) pathError(place, i, "undefined is not a JSON value", options);
    if (i > 0) out += ",";
    out += write(value[i], place, i, options, depth);
  }
  return out + "]";
}

function writeObject(value: Record<string, unknown>, place: Place, options: CanonicalOptions, depth: number): string {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    pathError(place.parent, place.key, "only plain objects can be stored as JSON", options);
  }
  // Default sort compares UTF-16 code units, which is the order RFC 8785 asks for.
  const keys = Object.keys(value).sort();
  let out = "{";
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${write(v, place, key, options, depth)}`;
  }
  return out + "}";
}

export function childPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Turn the stored strings "NaN", "Infinity", "-Infinity" back into numbers, deeply. */
export function decodeNonFinite(value: JsonValue): JsonValue {
  return mapScalars(value, (v) => (typeof v === "string" && Object.hasOwn(NON_FINITE_STRINGS, v) ? NON_FINITE_STRINGS[v]! : v));
}

/** Where JSON-only consumers (ajv, JSON.stringify) must see a value: bigints as doubles. */
export function toPlainJson(value: JsonValue): unknown {
  return holdsScalar(value, isBigint) ? mapScalars(value, (v) => (typeof v === "bigint" ? Number(v) : v)) : value;
}

const isBigint = (v: JsonPrimitive): boolean => typeof v === "bigint";

/**
 * Whether any scalar passes `test`, deeply. Much cheaper than a mapScalars that changes
 * nothing (no copies to consider, no result to compare): the index checks 400,000 files
 * that almost never hold a bigint or a NaN.
 */
export function holdsScalar(value: JsonValue, test: (v: JsonPrimitive) => boolean): boolean {
  if (typeof value !== "object" || value === null) return test(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x = value[i]!;
      if (typeof x === "object" && x !== null ? holdsScalar(x, test) : test(x)) return true;
    }
    return false;
  }
  for (const k of Object.keys(value)) {
    const x = value[k]!;
    if (typeof x === "object" && x !== null ? holdsScalar(x, test) : test(x)) return true;
  }
  return false;
}

/**
 * `leaf` applied to every scalar, deeply. Copy on write: a subtree where nothing changes
 * is returned as it is, so the common case (no NaN, no bigint) allocates nothing.
 */
export function mapScalars(value: JsonValue, leaf: (v: JsonValue) => JsonValue): JsonValue {
  if (Array.isArray(value)) {
    let out: JsonValue[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const m = mapScalars(value[i]!, leaf);
      if (!Object.is(m, value[i])) (out ??= value.slice())[i] = m;
    }
    return out ?? value;
  }
  if (isJsonObject(value)) {
    let out: JsonObject | null = null;
    for (const k of Object.keys(value)) {
      const m = mapScalars(value[k]!, leaf);
      if (!Object.is(m, value[k])) setKey((out ??= copyObject(value)), k, m);
    }
    return out ?? value;
  }
  return leaf(value);
}

function copyObject(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(o)) setKey(out, k, o[k]!);
  return out;
}

/** defineProperty keeps a "__proto__" key as data instead of changing the prototype. */
function setKey(o: JsonObject, k: string, v: JsonValue): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

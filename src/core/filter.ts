import { InvalidInputError } from "./errors.js";
import { displayWidth } from "./text-width.js";

/**
 * The filter language of `ls --where`, `top --where` and `trend --where`: MLflow's search
 * syntax plus what MLflow users asked for (`or`, parentheses, `is null`, bare tags).
 *
 *   params.lr < 0.01 and (metrics.val.acc >= 0.9 or tags.baseline) and name like 'bert%'
 *
 * Pure: text in, syntax tree out. Keys stay text here; which keys exist is the index's
 * business. Every node keeps the column where it started, for error messages.
 */
export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Literal =
  /** `text` is the number as typed: past 2^53 it says more than `value` can. */
  | { kind: "number"; value: number; text?: string }
  | { kind: "string"; value: string }
  | { kind: "boolean"; value: boolean }
  /** `7d`, `12h`: a span of time in milliseconds, for `created > 7d` (within the last 7 days). */
  | { kind: "duration"; ms: number; text: string };

export interface KeyRef {
  /** Normalised key: `params.lr`, `metrics.val.acc`, `tags.baseline`, `name`. */
  key: string;
  column: number;
}

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; expr: FilterNode }
  | { kind: "compare"; key: KeyRef; op: CompareOp; value: Literal; column: number }
  | { kind: "in"; key: KeyRef; values: Literal[]; negated: boolean }
  | { kind: "null"; key: KeyRef; negated: boolean }
  | { kind: "like"; key: KeyRef; pattern: string; negated: boolean; insensitive: boolean }
  /** A key on its own: `tags.baseline` (tagged), `params.lr` (has the param). */
  | { kind: "has"; key: KeyRef };

type TokenKind = "key" | "number" | "string" | "duration" | "op" | "lparen" | "rparen" | "comma" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column in the expression. */
  column: number;
  value?: string | number;
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "null", "like", "ilike", "true", "false"]);
const PREFIXES: Record<string, string> = {
  params: "params",
  param: "params",
  metrics: "metrics",
  metric: "metrics",
  tags: "tags",
  tag: "tags",
  attributes: "",
  attribute: "",
  attr: "",
};
/** Span units: `m` is minutes, as in `sleep 5m`; months are `mo` (30 days), years `y` (365). */
const DURATION_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, mo: 2_592_000_000, y: 31_536_000_000 };

export function filterError(text: string, column: number, what: string, subject = "the filter"): InvalidInputError {
  // Under the character at `column` as a terminal shows the text (a CJK character is two wide).
  const caret = `${" ".repeat(displayWidth(text.slice(0, Math.max(0, column - 1))))}^`;
  return new InvalidInputError(`cannot parse ${subject} at column ${column}: ${what}\n  ${text}\n  ${caret}`, { column });
}

class Lexer {
  private pos = 0;
  constructor(private readonly text: string) {}

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      out.push(t);
      if (t.kind === "end") return out;
    }
  }

  private next(): Token {
    const t = this.text;
    while (this.pos < t.length && /\s/.test(t[this.pos]!)) this.pos++;
    const column = this.pos + 1;
    if (this.pos >= t.length) return { kind: "end", text: "", column };
    const c = t[this.pos]!;
    if (c === "(") return this.single("lparen", column);
    if (c === ")") return this.single("rparen", column);
    if (c === ",") return this.single("comma", column);
    const op = /^(==|!=|<>|<=|>=|=|<|>)/.exec(t.slice(this.pos));
    if (op) {
      this.pos += op[0].length;
      const norm = op[0] === "==" ? "=" : op[0] === "<>" ? "!=" : op[0];
      return { kind: "op", text: op[0], column, value: norm };
    }
    if (c === "'" || c === '"') return this.string(c, column);
    if (/[-+0-9.]/.test(c)) return this.number(column);
    const whole = String.fromCodePoint(t.codePointAt(this.pos)!);
    if (c === "_" || c === "`" || KEY_CHAR.test(whole)) return this.key(column);
    throw filterError(this.text, column, `unexpected character ${JSON.stringify(whole)}`);
  }

  private single(kind: TokenKind, column: number): Token {
    return { kind, text: this.text[this.pos++]!, column };
  }

  private string(quote: string, column: number): Token {
    let out = "";
    let i = this.pos + 1;
    for (; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === "\\" && i + 1 < this.text.length) out += this.text[++i];
      else if (c === quote && this.text[i + 1] === quote) out += this.text[++i];
      else if (c === quote) break;
      else out += c;
    }
    if (i >= this.text.length) throw filterError(this.text, column, `the string starting here has no closing ${quote}`);
    const raw = this.text.slice(this.pos, i + 1);
    this.pos = i + 1;
    return { kind: "string", text: raw, column, value: out };
  }

  private number(column: number): Token {
    const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?((?:mo|[smhdwy])(?![\p{L}\p{N}_]))?/u.exec(this.text.slice(this.pos));
    if (!m || m[0] === "-" || m[0] === "+") throw filterError(this.text, column, "expected a number");
    this.pos += m[0].length;
    const n = Number(m[3] ? m[0].slice(0, -m[3].length) : m[0]);
    if (m[3]) return { kind: "duration", text: m[0], column, value: n * DURATION_MS[m[3]]! };
    return { kind: "number", text: m[0], column, value: n };
  }

  /** A back-quoted key segment from the opening back tick, "``" inside standing for "`". */
  private quotedSegment(): string {
    const start = this.pos;
    let out = "";
    for (this.pos++; ; ) {
      const end = this.text.indexOf("`", this.pos);
      if (end < 0) throw filterError(this.text, start + 1, "the quoted key starting here has no closing `");
      out += this.text.slice(this.pos, end);
      this.pos = end + 1;
      if (this.text[this.pos] !== "`") return out;
      out += "`";
      this.pos++;
    }
  }

  /**
   * Keys: dotted segments of letters (any script), digits, emoji, `_`, `-`, `/` and `:`;
   * `back ticks` quote a segment, and a doubled one inside stands for itself (`we``ird`).
   */
  private key(column: number): Token {
    const segments: string[] = [];
    let current = "";
    while (this.pos < this.text.length) {
      const c = String.fromCodePoint(this.text.codePointAt(this.pos)!);
      if (c === "`") {
        current += this.quotedSegment();
      } else if (c === ".") {
        segments.push(current);
        current = "";
        this.pos++;
      } else if (c === "_" || c === "-" || c === "/" || c === ":" || KEY_CHAR.test(c)) {
        current += c;
        this.pos += c.length;
      } else break;
    }
    segments.push(current);
    const text = this.text.slice(column - 1, this.pos);
    if (segments.some((s) => s === "")) throw filterError(this.text, column, `${JSON.stringify(text)} has an empty part between dots`);
    return { kind: "key", text, column, value: segments.join("\u0000") };
  }
}

/** Letters of any script, digits, combining marks, emoji and the joiners emoji are built with. */
const KEY_CHAR = /^[\p{L}\p{N}\p{M}\p{Extended_Pictographic}\p{Emoji_Component}\u200d]$/u;

/** How deep parentheses and `not` may nest, and how many tokens a filter may have. */
const MAX_DEPTH = 100;
const MAX_TOKENS = 5000;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind !== "end") throw this.error(t, `expected 'and', 'or' or the end of the filter, found ${show(t)}`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private take(): Token {
    return this.tokens[this.i++]!;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === "key" && t.text.toLowerCase() === word;
  }

  private error(t: Token, what: string): InvalidInputError {
    return filterError(this.text, t.column, what);
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord(this.peek(), "or")) {
      this.take();
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.not();
    while (this.isWord(this.peek(), "and")) {
      this.take();
      left = { kind: "and", left, right: this.not() };
    }
    return left;
  }

  private not(): FilterNode {
    if (this.isWord(this.peek(), "not")) {
      const t = this.take();
      return { kind: "not", expr: this.nested(t, () => this.not()) };
    }
    return this.primary();
  }

  /** Parentheses and `not` nest; past MAX_DEPTH a filter is refused, not a stack overflow. */
  private nested<T>(t: Token, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw this.error(t, `the filter nests deeper than ${MAX_DEPTH} levels here`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private primary(): FilterNode {
    const t = this.take();
    if (t.kind === "lparen") {
      const inner = this.nested(t, () => this.or());
      const close = this.take();
      if (close.kind !== "rparen") throw this.error(close, `expected ')' to close the '(' at column ${t.column}, found ${show(close)}`);
      return inner;
    }
    if (t.kind !== "key" || KEYWORDS.has(t.text.toLowerCase())) {
      throw this.error(t, `expected a key such as params.lr, metrics.acc, tags.baseline or name, found ${show(t)}`);
    }
    return this.predicate(keyRef(t));
  }

  private predicate(key: KeyRef): FilterNode {
    const t = this.peek();
    if (t.kind === "op") {
      this.take();
      return { kind: "compare", key, op: t.value as CompareOp, value: this.literal(), column: t.column };
    }
    let negated = false;
    if (this.isWord(t, "not")) {
      const after = this.tokens[this.i + 1]!;
      if (!["in", "like", "ilike"].some((w) => this.isWord(after, w))) return { kind: "has", key };
      this.take();
      negated = true;
    }
    const w = this.peek();
    if (this.isWord(w, "in")) {
      this.take();
      return { kind: "in", key, values: this.list(), negated };
    }
    if (this.isWord(w, "like") || this.isWord(w, "ilike")) {
      this.take();
      const p = this.take();
      if (p.kind !== "string") throw this.error(p, `'${w.text}' needs a quoted pattern such as 'bert%', found ${show(p)}`);
      return { kind: "like", key, pattern: String(p.value), negated, insensitive: this.isWord(w, "ilike") };
    }
    if (this.isWord(w, "is")) {
      this.take();
      let neg = false;
      if (this.isWord(this.peek(), "not")) {
        this.take();
        neg = true;
      }
      const n = this.take();
      if (!this.isWord(n, "null")) throw this.error(n, `expected 'null' after 'is${neg ? " not" : ""}', found ${show(n)}`);
      return { kind: "null", key, negated: neg };
    }
    return { kind: "has", key };
  }

  private list(): Literal[] {
    const open = this.take();
    if (open.kind !== "lparen") throw this.error(open, `'in' needs a list in parentheses such as ('adam', 'sgd'), found ${show(open)}`);
    const values: Literal[] = [this.literal()];
    for (;;) {
      const t = this.take();
      if (t.kind === "rparen") return values;
      if (t.kind !== "comma") throw this.error(t, `expected ',' or ')' in the list, found ${show(t)}`);
      values.push(this.literal());
    }
  }

  private literal(): Literal {
    const t = this.take();
    switch (t.kind) {
      case "number":
        return { kind: "number", value: t.value as number, text: t.text };
      case "string":
        return { kind: "string", value: t.value as string };
      case "duration":
        return { kind: "duration", ms: t.value as number, text: t.text };
      case "key": {
        const w = t.text.toLowerCase();
        if (w === "true" || w === "false") return { kind: "boolean", value: w === "true" };
        if (w === "nan" || w === "inf" || w === "infinity") return { kind: "number", value: w === "nan" ? NaN : Infinity };
        throw this.error(t, `expected a value (a number, a 'quoted string', true or false), found ${show(t)}; quote text values`);
      }
      default:
        throw this.error(t, `expected a value (a number, a 'quoted string', true or false), found ${show(t)}`);
    }
  }
}

function show(t: Token): string {
  return t.kind === "end" ? "the end of the filter" : `'${t.text}'`;
}

/** `param.lr` -> `params.lr`, `attributes.status` -> `status`; segments joined by dots. */
function keyRef(t: Token): KeyRef {
  const segments = String(t.value).split("\u0000");
  const prefix = PREFIXES[segments[0]!.toLowerCase()];
  if (prefix !== undefined && segments.length > 1) {
    const rest = segments.slice(1).join(".");
    return { key: prefix ? `${prefix}.${rest}` : rest.toLowerCase(), column: t.column };
  }
  const key = segments.join(".");
  return { key: segments.length === 1 ? key.toLowerCase() : key, column: t.column };
}

export function parseFilter(text: string): FilterNode {
  if (text.trim() === "") throw new InvalidInputError("the filter is empty; give an expression such as \"metrics.acc > 0.9\"", { column: 1 });
  const tokens = new Lexer(text).tokens();
  // A chain of thousands of `or`s would overflow the compiler's recursion, and DuckDB's.
  if (tokens.length > MAX_TOKENS) throw new InvalidInputError(`the filter has more than ${MAX_TOKENS} words and symbols: shorten it`, { column: 1 });
  return new Parser(text, tokens).parse();
}

/** Parse one key on its own, as `--sort` and `--columns` take them (`option` names which). */
export function parseKey(text: string, option = "the key"): KeyRef {
  const tokens = new Lexer(text).tokens();
  if (tokens.length !== 2 || tokens[0]!.kind !== "key") {
    const hint = option === "--sort" ? "; sort descending with -KEY or \"KEY desc\"" : "";
    throw filterError(text, tokens[0]?.column ?? 1, `${JSON.stringify(text)} is not a key such as metrics.acc, params.lr or created${hint}`, option);
  }
  return keyRef(tokens[0]!);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The known keys nearest to an unknown one, closest first. */
export function nearest(wanted: string, known: Iterable<string>, count = 3): string[] {
  const w = wanted.toLowerCase();
  return [...known]
    .map((k) => ({ k, d: editDistance(w, k.toLowerCase()) - (k.toLowerCase().includes(w) || w.includes(k.toLowerCase()) ? 2 : 0) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(k.length / 2)))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .slice(0, count)
    .map(({ k }) => k);
}

/** `--since 7d` (a span back from now) or `--since 2026-01-31` (a date): epoch milliseconds. */
export function parseSince(text: string, now = Date.now()): number {
  const span = /^(\d+(?:\.\d+)?)(mo|[smhdwy])$/.exec(text.trim());
  if (span) return now - Number(span[1]) * DURATION_MS[span[2]!]!;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new InvalidInputError(`--since ${JSON.stringify(text)} is neither a span such as 30m (minutes), 12h, 7d, 2w, 3mo, 1y nor a date such as 2026-01-31`);
  }
  return ms;
}

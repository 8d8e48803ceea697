import type { DuckDBValue } from "@duckdb/node-api";
import { InvalidInputError } from "../core/errors.js";
import { filterError, parseFilter, parseKey, type CompareOp, type FilterNode, type KeyRef, type Literal } from "../core/filter.js";
import { STATUSES } from "../core/experiment.js";
import { ATTRIBUTES, type Catalog } from "./catalog.js";

/**
 * Values become numbered parameters ($1, $2, ...), never text in the SQL: a filter can
 * name any key and hold any string and still cannot change the query's shape.
 */
export class SqlBuilder {
  readonly values: DuckDBValue[] = [];

  param(v: DuckDBValue): string {
    // The driver binds a whole number as BIGINT and throws past 2^63 (a seed such as
    // 18446744073709551617 in a filter); every column such a number meets is a DOUBLE.
    if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)) return `CAST(${this.push(String(v))} AS DOUBLE)`;
    return this.push(v);
  }

  private push(v: DuckDBValue): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

type Target =
  | { kind: "param"; key: string }
  | { kind: "metric"; key: string }
  | { kind: "tag"; tag?: string }
  | { kind: "attr"; name: string; column: string; type: "text" | "number" | "time" | "boolean" };

/** Columns holding git object ids, which people name by a prefix. */
const HEX_COLUMNS = ["id", "source_commit", "config_hash"];

/** The experiments-table alias every fragment refers to. */
export const E = "e";

class FilterCompiler {
  constructor(
    private readonly catalog: Catalog,
    private readonly sql: SqlBuilder,
    private readonly text: string,
    private readonly now = Date.now(),
  ) {}

  /** Param and metric keys the filter names, for showing them as columns. */
  readonly referenced: string[] = [];

  /**
   * SQL for a filter; `negated` carries a `not` down to the comparisons (De Morgan through
   * and/or), so that, as in SQL, a run without the key or with NaN is never a match of
   * `not metrics.loss < 0.5` any more than of `metrics.loss >= 0.5`.
   */
  compile(node: FilterNode, negated = false): string {
    switch (node.kind) {
      case "and":
      case "or": {
        const op = (node.kind === "and") !== negated ? "AND" : "OR";
        return `(${this.compile(node.left, negated)} ${op} ${this.compile(node.right, negated)})`;
      }
      case "not":
        return this.compile(node.expr, !negated);
      case "compare":
        return this.compare(node.key, node.op, node.value, negated);
      case "in":
        return this.inList(node.key, node.values, node.negated !== negated);
      case "null":
        return this.isNull(node.key, node.negated !== negated);
      case "like":
        return this.like(node.key, node.pattern, node.negated !== negated, node.insensitive);
      case "has":
        return negated ? `(NOT ${this.has(node.key)})` : this.has(node.key);
    }
  }

  target(ref: KeyRef): Target {
    const { key } = ref;
    const dot = key.indexOf(".");
    const head = dot < 0 ? key : key.slice(0, dot);
    const rest = key.slice(dot + 1);
    if (dot > 0 && head === "params") {
      if (this.catalog.strict && !this.catalog.params.has(rest)) throw this.unknown(ref, `params.${rest}`);
      this.referenced.push(key);
      return { kind: "param", key: rest };
    }
    if (dot > 0 && head === "metrics") {
      if (this.catalog.strict && !this.catalog.metrics.has(rest)) throw this.unknown(ref, `metrics.${rest}`);
      this.referenced.push(key);
      return { kind: "metric", key: rest };
    }
    if (dot > 0 && head === "tags") return { kind: "tag", tag: rest };
    if (key === "tag" || key === "tags") return { kind: "tag" };
    const attr = ATTRIBUTES[key];
    if (!attr) throw this.unknown(ref, key);
    return { kind: "attr", name: key, ...attr };
  }

  private unknown(ref: KeyRef, key: string): Error {
    const e = this.catalog.unknown(key);
    return this.text ? Object.assign(e, { message: `${e.message} (column ${ref.column} of the filter)`, column: ref.column }) : e;
  }

  private fail(ref: KeyRef, what: string): InvalidInputError {
    return this.text ? filterError(this.text, ref.column, what) : new InvalidInputError(what);
  }

  private sub(table: "params" | "metrics", key: string, cond: string, negated = false): string {
    return `${E}.id ${negated ? "NOT IN" : "IN"} (SELECT id FROM ${table} WHERE key = ${this.sql.param(key)} AND ${cond})`;
  }

  private compare(ref: KeyRef, op: CompareOp, v: Literal, negated: boolean): string {
    const t = this.target(ref);
    switch (t.kind) {
      case "param": {
        const cond = this.paramCond(ref, op, v);
        return this.sub("params", t.key, negated ? `NOT (${cond})` : cond);
      }
      case "metric":
        return this.sub("metrics", t.key, this.metricCond(ref, "value", op, v, negated));
      case "tag":
        if (op !== "=" && op !== "!=") throw this.fail(ref, "tags compare only with = or !=");
        return this.tagCond(this.stringOf(ref, v), (op === "!=") !== negated);
      case "attr": {
        // NULL stays NULL under NOT in SQL: a run without the attribute matches neither way.
        const cond = this.attrCompare(ref, t, op, v);
        return negated ? `(NOT ${cond})` : cond;
      }
    }
  }

  private paramCond(ref: KeyRef, op: CompareOp, v: Literal): string {
    if (v.kind === "number") {
      const exact = op === "=" || op === "!=" ? exactInteger(v) : undefined;
      if (exact !== undefined) return `value ${op} ${this.sql.param(exact)}`;
      return Number.isNaN(v.value) ? "isnan(num)" : `num ${op} ${this.sql.param(v.value)}`;
    }
    if (v.kind === "boolean") return `value ${op} ${this.sql.param(String(v.value))}`;
    if (v.kind === "string") return `value ${op} ${this.sql.param(v.value)}`;
    throw this.fail(ref, `a duration such as ${v.text} compares only with created`);
  }

  /** NaN never passes a comparison, as in IEEE arithmetic; `= nan` finds diverged runs. */
  private metricCond(ref: KeyRef, col: string, op: CompareOp, v: Literal, negated = false): string {
    if (v.kind !== "number") throw this.fail(ref, `metrics are numbers: compare ${ref.key} with a number, not ${describe(v)}`);
    if (Number.isNaN(v.value)) {
      if (op === "=" || op === "!=") return (op === "=") !== negated ? `isnan(${col})` : `NOT isnan(${col})`;
      throw this.fail(ref, "NaN compares only with = or !=");
    }
    const cond = `${col} ${op} ${this.sql.param(v.value)}`;
    return `${negated ? `NOT (${cond})` : cond} AND NOT isnan(${col})`;
  }

  private tagCond(tag: string, negated: boolean): string {
    return `${E}.id ${negated ? "NOT IN" : "IN"} (SELECT id FROM tags WHERE tag = ${this.sql.param(tag)})`;
  }

  private stringOf(ref: KeyRef, v: Literal): string {
    if (v.kind === "string") return v.value;
    throw this.fail(ref, `${ref.key} takes a quoted text value, not ${describe(v)}`);
  }

  private attrCompare(ref: KeyRef, t: Extract<Target, { kind: "attr" }>, op: CompareOp, v: Literal): string {
    const col = `${E}.${t.column}`;
    switch (t.type) {
      case "time":
        return this.timeCompare(ref, col, op, v);
      case "number":
        if (v.kind !== "number") throw this.fail(ref, `${ref.key} is a number: compare it with a number, not ${describe(v)}`);
        return `${col} ${op} ${this.sql.param(v.value)}`;
      case "boolean":
        if (v.kind !== "boolean") throw this.fail(ref, `${ref.key} is true or false, not ${describe(v)}`);
        return `${col} ${op} ${this.sql.param(v.value)}`;
      default: {
        const s = this.stringOf(ref, v);
        if (t.column === "status" && (op === "=" || op === "!=")) this.checkStatus(ref, s);
        // A short id, commit or config hash (as ls shows them) is a prefix, as everywhere else in git-exp.
        if (HEX_COLUMNS.includes(t.column) && op === "=" && /^[0-9a-f]{4,63}$/.test(s)) return `starts_with(${col}, ${this.sql.param(s)})`;
        return `${col} ${op} ${this.sql.param(s)}`;
      }
    }
  }

  /**
   * A plain date ('2026-11-22') stands for the whole UTC day: `=` is any time that day,
   * `<=` includes it, `>` starts the day after. A time or a span compares as an instant.
   */
  private timeCompare(ref: KeyRef, col: string, op: CompareOp, v: Literal): string {
    const at = (ms: number): string => `CAST(${this.sql.param(new Date(ms).toISOString().replace("T", " ").replace("Z", ""))} AS TIMESTAMP)`;
    const ms = this.timeOf(ref, v);
    if (v.kind !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v.value.trim())) return `${col} ${op} ${at(ms)}`;
    // Each bound becomes a parameter only where it is used: DuckDB refuses an unused one.
    const start = (): string => at(ms);
    const end = (): string => at(ms + 86_400_000);
    switch (op) {
      case "=":
        return `(${col} >= ${start()} AND ${col} < ${end()})`;
      case "!=":
        return `(${col} < ${start()} OR ${col} >= ${end()})`;
      case "<":
        return `${col} < ${start()}`;
      case "<=":
        return `${col} < ${end()}`;
      case ">":
        return `${col} >= ${end()}`;
      case ">=":
        return `${col} >= ${start()}`;
    }
  }

  /** A status no experiment can have is a typo, as `--status` says, not an empty answer. */
  private checkStatus(ref: KeyRef, s: string): void {
    if (!(STATUSES as readonly string[]).includes(s)) throw this.fail(ref, `status is one of ${STATUSES.join(", ")}, not ${JSON.stringify(s)}`);
  }

  /** `'2026-01-31'` is a date; `7d` is "7 days ago", so `created > 7d` means within the last week. */
  private timeOf(ref: KeyRef, v: Literal): number {
    let ms: number;
    if (v.kind === "duration") ms = this.now - v.ms;
    else if (v.kind === "string") ms = Date.parse(v.value);
    else throw this.fail(ref, `${ref.key} compares with a date such as '2026-01-31' or a span such as 7d, not ${describe(v)}`);
    if (Number.isNaN(ms)) throw this.fail(ref, `${JSON.stringify((v as { value: string }).value)} is not a date; use ISO 8601 such as '2026-01-31' or '2026-01-31T12:00:00Z'`);
    return ms;
  }

  private inList(ref: KeyRef, values: Literal[], negated: boolean): string {
    const t = this.target(ref);
    const list = (vs: DuckDBValue[]): string => vs.map((x) => this.sql.param(x)).join(", ");
    const nums = values.filter((v): v is Extract<Literal, { kind: "number" }> => v.kind === "number").map((v) => v.value);
    const strs = values.filter((v) => v.kind === "string" || v.kind === "boolean").map((v) => (v.kind === "string" ? v.value : String((v as { value: boolean }).value)));
    const not = negated ? "NOT " : "";
    switch (t.kind) {
      case "param": {
        const parts = [nums.length ? `num IN (${list(nums)})` : "", strs.length ? `value IN (${list(strs)})` : ""].filter(Boolean);
        return this.sub("params", t.key, `${not}(${parts.join(" OR ")})`);
      }
      case "metric":
        if (strs.length) throw this.fail(ref, `metrics are numbers: the list for ${ref.key} must hold numbers`);
        return this.sub("metrics", t.key, `${not}(value IN (${list(nums)}))${negated ? " AND NOT isnan(value)" : ""}`);
      case "tag":
        if (nums.length) throw this.fail(ref, "tags are text: quote them");
        return `${E}.id ${negated ? "NOT IN" : "IN"} (SELECT id FROM tags WHERE tag IN (${list(strs)}))`;
      case "attr": {
        const col = `${E}.${t.column}`;
        if (t.type === "number") return `${not}(${col} IN (${list(nums)}))`;
        if (nums.length) throw this.fail(ref, `${ref.key} is text: quote the values in the list`);
        return `${not}(${col} IN (${list(strs)}))`;
      }
    }
  }

  private isNull(ref: KeyRef, negated: boolean): string {
    const t = this.target(ref);
    switch (t.kind) {
      case "param":
        return this.sub("params", t.key, "value IS NOT NULL", !negated);
      case "metric":
        return this.sub("metrics", t.key, "value IS NOT NULL", !negated);
      case "tag":
        return `${E}.id ${negated ? "IN" : "NOT IN"} (SELECT id FROM tags${t.tag ? ` WHERE tag = ${this.sql.param(t.tag)}` : ""})`;
      case "attr":
        return `${E}.${t.column} IS ${negated ? "NOT " : ""}NULL`;
    }
  }

  private like(ref: KeyRef, pattern: string, negated: boolean, insensitive: boolean): string {
    const t = this.target(ref);
    const op = `${negated ? "NOT " : ""}${insensitive ? "ILIKE" : "LIKE"}`;
    const p = (): string => this.sql.param(pattern);
    switch (t.kind) {
      case "param":
        return this.sub("params", t.key, `value ${op} ${p()}`);
      case "metric":
        throw this.fail(ref, "metrics are numbers: use <, >, = instead of like");
      case "tag":
        return `${E}.id ${negated ? "NOT IN" : "IN"} (SELECT id FROM tags WHERE tag ${insensitive ? "ILIKE" : "LIKE"} ${p()})`;
      case "attr":
        if (t.type !== "text") throw this.fail(ref, `${ref.key} is not text: like does not apply`);
        return `${E}.${t.column} ${op} ${p()}`;
    }
  }

  private has(ref: KeyRef): string {
    const t = this.target(ref);
    switch (t.kind) {
      case "param":
        return this.sub("params", t.key, "TRUE");
      case "metric":
        return this.sub("metrics", t.key, "TRUE");
      case "tag":
        if (!t.tag) throw this.fail(ref, "name the tag: tags.baseline, or tag = 'baseline'");
        return this.tagCond(t.tag, false);
      case "attr":
        return t.type === "boolean" ? `${E}.${t.column} = TRUE` : `${E}.${t.column} IS NOT NULL`;
    }
  }
}

/**
 * An integer a double cannot hold exactly (a 64-bit seed), as typed: the index keeps such
 * params as exact text, so equality compares the text and 2^64 + 1 never matches 2^64.
 */
function exactInteger(v: Extract<Literal, { kind: "number" }>): string | undefined {
  if (Number.isSafeInteger(v.value) || !v.text || !/^-?\d+$/.test(v.text)) return undefined;
  return v.text.replace(/^(-?)0+(?=\d)/, "$1");
}

function describe(v: Literal): string {
  switch (v.kind) {
    case "string":
      return `the text '${v.value}'`;
    case "number":
      return `the number ${v.value}`;
    case "boolean":
      return String(v.value);
    case "duration":
      return `the span ${v.text}`;
  }
}

/** Compile `--where` text into a SQL condition over the experiments table `e`. */
export function compileWhere(text: string, catalog: Catalog, sql: SqlBuilder): { condition: string; referenced: string[] } {
  const compiler = new FilterCompiler(catalog, sql, text);
  const condition = compiler.compile(parseFilter(text));
  return { condition, referenced: compiler.referenced };
}

export interface CompiledSort {
  join: string;
  order: string;
  key: string;
  /** Said on stderr: which key a bare name that is both a param and a metric was read as. */
  note?: string;
}

/**
 * `--sort KEY`: ascending, or descending with a leading `-` or a trailing ` desc`.
 * Missing values and NaN sort last either way.
 */
export function compileSort(spec: string, catalog: Catalog, sql: SqlBuilder): CompiledSort {
  let text = spec.trim();
  let desc = false;
  const m = /^(.*?)\s+(asc|desc)$/i.exec(text);
  if (m) {
    text = m[1]!;
    desc = m[2]!.toLowerCase() === "desc";
  } else if (text.startsWith("-")) {
    text = text.slice(1);
    desc = true;
  } else if (text.startsWith("+")) text = text.slice(1);
  const { key, note } = catalog.qualify(text, "--sort");
  const ref = parseKey(catalog.keySyntax(key), "--sort");
  const compiler = new FilterCompiler(catalog, sql, "");
  const t = compiler.target(ref);
  const dir = desc ? "DESC" : "ASC";
  switch (t.kind) {
    case "param":
      return {
        join: `LEFT JOIN params s ON s.id = ${E}.id AND s.key = ${sql.param(t.key)}`,
        order: `s.num ${dir} NULLS LAST, s.value ${dir} NULLS LAST`,
        key: ref.key,
        ...(note ? { note } : {}),
      };
    case "metric":
      return {
        join: `LEFT JOIN metrics s ON s.id = ${E}.id AND s.key = ${sql.param(t.key)}`,
        order: `coalesce(isnan(s.value), TRUE), s.value ${dir}`,
        key: ref.key,
      };
    case "tag":
      throw new InvalidInputError(`cannot sort by ${ref.key}; sort by a param, a metric or one of ${Object.keys(ATTRIBUTES).join(", ")}`);
    case "attr":
      return { join: "", order: `${E}.${t.column} ${dir} NULLS LAST`, key: ref.key };
  }
}

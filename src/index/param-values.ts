import { canonicalJson, parseJson, type JsonValue } from "../core/json.js";
import type { SqlValue } from "./database.js";

/** How a param value is written in the index: `params.value`, `params.num`, `params.type`. */

/** Strings as they are; every other value as canonical JSON, so `value` is comparable text. */
export function paramText(v: JsonValue): string | null {
  if (v === null) return null;
  if (typeof v === "string") return v;
  // A finite number's canonical form is ECMAScript's: no need for the general writer.
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return canonicalJson(v).trimEnd();
}

export function paramNumber(v: JsonValue): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return null;
}

export function paramType(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "bigint") return "number";
  return typeof v;
}

/** DuckDB hands NaN back as a number already; text forms appear only through JSON paths. */
export function toNumber(v: SqlValue): number | null {
  if (v === null) return null;
  if (typeof v === "number") return v;
  const n = Number(v);
  return Number.isNaN(n) && v !== "NaN" ? null : n;
}

/** A param's value with its JSON type back: the index keeps text plus a type tag. */
export function paramValue(value: SqlValue, num: SqlValue, type: string): JsonValue {
  switch (type) {
    case "number": {
      const text = String(value);
      return /^-?\d{16,}$/.test(text) ? BigInt(text) : Number(num ?? text);
    }
    case "boolean":
      return value === "true";
    case "null":
      return null;
    case "array":
    case "object":
      return JSON.parse(String(value)) as JsonValue;
    default:
      return value === null ? null : String(value);
  }
}

/**
 * A param back as the value a config held, for rebuilding a trial's config: a long integer
 * parsed as JSON parses it (so the config, and its hash, come back as recorded).
 */
export function configValue(value: SqlValue, num: SqlValue, type: SqlValue): JsonValue {
  const text = value === null ? null : String(value);
  switch (type) {
    case "string":
      return text;
    case "null":
      return null;
    case "number":
      return text !== null && /^-?\d{16,}$/.test(text) ? parseJson(text) : Number(num);
    default:
      return text === null ? null : parseJson(text);
  }
}

import { canonicalJson, type JsonValue } from "../core/json.js";

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

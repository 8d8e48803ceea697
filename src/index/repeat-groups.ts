import { createHash } from "node:crypto";
import { flattenParams } from "../core/experiment.js";
import type { JsonObject } from "../core/json.js";
import { isRepeatKey } from "../core/rules.js";
import { paramText, paramType } from "./param-values.js";

/**
 * The group key of repeats: runs whose configs are equal but for the repeat keys (`seed` by
 * default, `repeat_keys` in gitexp.json) share it. It is the md5 of the config's params
 * without the repeat keys, one `key \x01 type \x01 value` line each, in byte order of the key,
 * as the index's `params` table holds them; the config hash itself stays the content hash.
 * groupKeyOf (from a config) and groupKeySql (from the index) are the two spellings of this
 * one definition; a test holds them equal.
 */
export function groupKeyOf(config: JsonObject, repeatKeys: readonly string[]): string {
  const lines = flattenParams(config)
    .filter(([k]) => !isRepeatKey(k, repeatKeys))
    .map(([k, v]) => ({ key: Buffer.from(k, "utf8"), line: `${k}\u0001${paramType(v)}\u0001${paramText(v) ?? ""}` }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((l) => l.line);
  return createHash("md5").update(lines.join("\n"), "utf8").digest("hex");
}

/**
 * A subquery with one row per experiment, `(id, group_key)`, computed from `params` in SQL;
 * join it as `LEFT JOIN (...) g ON g.id = e.id` and take `coalesce(g.group_key, EMPTY_GROUP_KEY)`
 * for experiments without params. `param` turns a value into a bound parameter.
 */
export function groupKeySql(repeatKeys: readonly string[], param: (v: string) => string): string {
  const keep = repeatKeys.map((k) => `p.key <> ${param(k)} AND NOT starts_with(p.key, ${param(k + ".")})`).join(" AND ") || "true";
  return `(SELECT p.id, md5(string_agg(p.key || chr(1) || p.type || chr(1) || coalesce(p.value, ''), chr(10) ORDER BY p.key)) AS group_key
     FROM params p WHERE ${keep} GROUP BY p.id)`;
}

/** The group key of a config with no params but repeat keys (or none at all). */
export const EMPTY_GROUP_KEY = createHash("md5").update("").digest("hex");

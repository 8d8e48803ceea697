import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { E, SqlBuilder } from "../index/filter-sql.js";
import { compileSelection, type Selection } from "../index/selection.js";
import { DEFAULT_REPEAT_KEYS } from "../core/rules.js";
import { EMPTY_GROUP_KEY, groupKeySql } from "../index/repeat-groups.js";
import type { Entry } from "../core/catalog-entry.js";
import { paramValue, toNumber } from "./search.js";

/**
 * The experiments a selection matches, as analyses take them, from the index: three
 * queries however many there are, instead of reading every experiment from git.
 */
export async function entriesFromIndex(db: IndexDatabase, selection: Selection = {}, repeatKeys: readonly string[] = DEFAULT_REPEAT_KEYS): Promise<Entry[]> {
  const catalog = await Catalog.load(db);
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, catalog, sql);
  const chosen = `id IN (SELECT ${E}.id FROM experiments ${E} WHERE ${condition})`;
  const v = [...sql.values];
  const groups = groupKeySql(repeatKeys, (k) => sql.param(k));
  const byId = new Map<string, Entry>();
  for (const r of await db.rows(
    `SELECT x.id, name, status, created_at, source_commit, branch, config_hash, dirty, coalesce(g.group_key, '${EMPTY_GROUP_KEY}') AS group_key
     FROM experiments x LEFT JOIN ${groups} g ON g.id = x.id WHERE x.${chosen} ORDER BY created_at DESC, x.id`,
    sql.values,
  )) {
    const id = String(r["id"]);
    byId.set(id, {
      id,
      name: r["name"] as string | null,
      status: String(r["status"]),
      createdAt: String(r["created_at"]),
      sourceCommit: r["source_commit"] as string | null,
      branch: r["branch"] as string | null,
      configHash: String(r["config_hash"]),
      groupKey: String(r["group_key"]),
      dirty: r["dirty"] === true,
      // not in the index; only stats tells reruns apart
      reproduces: null,
      tags: [],
      params: {},
      metrics: {},
    });
  }
  for (const r of await db.rows(`SELECT id, tag FROM tags WHERE ${chosen} ORDER BY tag`, v)) byId.get(String(r["id"]))?.tags.push(String(r["tag"]));
  for (const r of await db.rows(`SELECT id, key, value, num, type FROM params WHERE ${chosen}`, v)) {
    const e = byId.get(String(r["id"]));
    if (e) e.params[String(r["key"])] = paramValue(r["value"], r["num"], String(r["type"]));
  }
  for (const r of await db.rows(`SELECT id, key, value FROM metrics WHERE ${chosen}`, v)) {
    const e = byId.get(String(r["id"]));
    if (e) e.metrics[String(r["key"])] = toNumber(r["value"]);
  }
  return [...byId.values()];
}

/**
 * The newest experiments of a selection that have a metric's series, at most `limit`,
 * and how many there are in all.
 */
export async function newestWithSeries(db: IndexDatabase, metric: string, selection: Selection, limit: number): Promise<{ ids: string[]; matched: number }> {
  const catalog = await Catalog.load(db);
  const sql = new SqlBuilder();
  const { condition } = compileSelection(selection, catalog, sql);
  const where = `${E}.id IN (SELECT id FROM metrics WHERE key = ${sql.param(metric)} AND points > 0) AND ${condition}`;
  const matched = Number(await db.value(`SELECT count(*) FROM experiments ${E} WHERE ${where}`, sql.values));
  const rows = await db.rows(`SELECT ${E}.id FROM experiments ${E} WHERE ${where} ORDER BY ${E}.created_at DESC, ${E}.id LIMIT ${sql.param(limit)}`, sql.values);
  return { ids: rows.map((r) => String(r["id"])), matched };
}

/** The metrics that have a history somewhere: what a plot could draw, for suggestions. */
export async function seriesKeys(db: IndexDatabase): Promise<string[]> {
  return (await db.rows("SELECT DISTINCT key FROM metrics WHERE points > 0 ORDER BY key")).map((r) => String(r["key"]));
}

import { InvalidInputError } from "../core/errors.js";
import { STATUSES } from "../core/experiment.js";
import { parseSince } from "../core/filter.js";
import type { Catalog } from "./catalog.js";
import { E, compileWhere, type SqlBuilder } from "./filter-sql.js";

/** Which experiments a question is about: shared by ls, top and trend. */
export interface Selection {
  where?: string;
  /** Every one of these tags. */
  tags?: string[];
  /** A span back from now (`7d`) or a date. */
  since?: string;
  branch?: string;
  status?: string;
}

export interface CompiledSelection {
  condition: string;
  /** Param and metric keys the filter names. */
  referenced: string[];
}

export function compileSelection(sel: Selection, catalog: Catalog, sql: SqlBuilder, now = Date.now()): CompiledSelection {
  const parts: string[] = [];
  let referenced: string[] = [];
  if (sel.where !== undefined) {
    const w = compileWhere(sel.where, catalog, sql);
    parts.push(w.condition);
    referenced = w.referenced;
  }
  for (const tag of sel.tags ?? []) parts.push(`${E}.id IN (SELECT id FROM tags WHERE tag = ${sql.param(tag)})`);
  if (sel.since !== undefined) {
    const iso = new Date(parseSince(sel.since, now)).toISOString().replace("T", " ").replace("Z", "");
    parts.push(`${E}.created_at >= CAST(${sql.param(iso)} AS TIMESTAMP)`);
  }
  if (sel.branch !== undefined) parts.push(`${E}.branch = ${sql.param(sel.branch)}`);
  if (sel.status !== undefined) {
    const wanted = sel.status.split(",").map((s) => s.trim());
    for (const s of wanted) {
      if (!(STATUSES as readonly string[]).includes(s)) throw new InvalidInputError(`--status ${s}: a status is one of ${STATUSES.join(", ")}`);
    }
    parts.push(`${E}.status IN (${wanted.map((s) => sql.param(s)).join(", ")})`);
  }
  return { condition: parts.length > 0 ? parts.join(" AND ") : "TRUE", referenced };
}

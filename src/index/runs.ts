import type { IndexDatabase } from "./database.js";

/**
 * `runs`: one row per experiment, one column per param and metric ("params.lr",
 * "metrics.val.acc"), for ad-hoc SQL. Kept as a table, not a view, so queries on it cost a
 * scan, not a pivot. Its columns come from the `keys` table; when they change the table is
 * rebuilt, otherwise new experiments are appended.
 */
export interface RunsColumn {
  kind: "param" | "metric";
  key: string;
  type: string;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Key names come from the index itself, never from a command line; still quoted safely. */
function quoteText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function paramColumn(c: RunsColumn): string {
  const expr = c.type === "number" ? "num" : c.type === "boolean" ? "TRY_CAST(value AS BOOLEAN)" : "value";
  return `any_value(${expr}) FILTER (WHERE key = ${quoteText(c.key)}) AS ${quoteIdent(`params.${c.key}`)}`;
}

function metricColumn(c: RunsColumn): string {
  return `any_value(value) FILTER (WHERE key = ${quoteText(c.key)}) AS ${quoteIdent(`metrics.${c.key}`)}`;
}

/** The SELECT that fills `runs`; `only` restricts it to the ids of a temporary table. */
export function runsSelect(columns: RunsColumn[], only?: string): string {
  const params = columns.filter((c) => c.kind === "param");
  const metrics = columns.filter((c) => c.kind === "metric");
  const restrict = only ? ` WHERE id IN (SELECT id FROM ${only})` : "";
  const select = [
    "e.id, e.name, e.status, e.created_at, e.created_by, e.source_commit, e.branch, e.config_hash",
    ...params.map((c) => `p.${quoteIdent(`params.${c.key}`)}`),
    ...metrics.map((c) => `m.${quoteIdent(`metrics.${c.key}`)}`),
  ];
  let from = "experiments e";
  if (params.length > 0) {
    from += ` LEFT JOIN (SELECT id, ${params.map(paramColumn).join(", ")} FROM params${restrict} GROUP BY id) p ON p.id = e.id`;
  }
  if (metrics.length > 0) {
    from += ` LEFT JOIN (SELECT id, ${metrics.map(metricColumn).join(", ")} FROM metrics${restrict} GROUP BY id) m ON m.id = e.id`;
  }
  return `SELECT ${select.join(", ")} FROM ${from}${only ? ` WHERE e.id IN (SELECT id FROM ${only})` : ""}`;
}

export async function runsColumns(db: IndexDatabase): Promise<RunsColumn[]> {
  const rows = await db.rows("SELECT kind, key, type FROM keys WHERE kind IN ('param', 'metric') ORDER BY kind DESC, key");
  return rows.map((r) => ({ kind: r["kind"] as RunsColumn["kind"], key: String(r["key"]), type: String(r["type"]) }));
}

export function columnsSignature(columns: RunsColumn[]): string {
  return JSON.stringify(columns.map((c) => [c.kind, c.key, c.type]));
}

/** Per kind of key: where its rows live and how one key is counted and typed. */
const KEY_KINDS: { kind: string; table: string; column: string; type: string }[] = [
  {
    kind: "param",
    table: "params",
    column: "key",
    type: `CASE WHEN bool_and(type IN ('number', 'null')) AND bool_or(type = 'number') THEN 'number'
           WHEN bool_and(type IN ('boolean', 'null')) AND bool_or(type = 'boolean') THEN 'boolean'
           ELSE 'text' END`,
  },
  { kind: "metric", table: "metrics", column: "key", type: "'number'" },
  { kind: "tag", table: "tags", column: "tag", type: "'text'" },
  { kind: "env", table: "env", column: "key", type: "'text'" },
];

function keyCounts(k: (typeof KEY_KINDS)[number], where = ""): string {
  return `SELECT '${k.kind}', ${k.column}, ${k.type}, count(*) FROM ${k.table} ${where} GROUP BY ${k.column}`;
}

/**
 * Recount the keys users can filter, sort and pivot on. With `addedTable` (experiments were
 * only added), only the keys those experiments carry are recounted: an update after one
 * new run costs a lookup of its keys, not a scan of every key of every experiment.
 */
export async function refreshKeys(db: IndexDatabase, addedTable?: string): Promise<void> {
  if (!addedTable) {
    await db.run("DELETE FROM keys");
    await db.run(`INSERT INTO keys ${KEY_KINDS.map((k) => keyCounts(k)).join(" UNION ALL ")}`);
    return;
  }
  for (const k of KEY_KINDS) {
    const touched = `(SELECT DISTINCT ${k.column} FROM ${k.table} WHERE id IN (SELECT id FROM ${addedTable}))`;
    await db.run(`DELETE FROM keys WHERE kind = '${k.kind}' AND key IN ${touched}`);
    await db.run(`INSERT INTO keys ${keyCounts(k, `WHERE ${k.column} IN ${touched}`)}`);
  }
}

/** Bring `runs` in line: rebuilt when its columns change, else the added ids appended. */
export async function refreshRuns(
  db: IndexDatabase,
  previousSignature: string | null,
  addedTable: string,
  namesChanged = true,
): Promise<string> {
  const columns = await runsColumns(db);
  const signature = columnsSignature(columns);
  if (signature !== previousSignature) {
    await db.run(`CREATE OR REPLACE TABLE runs AS ${runsSelect(columns)}`);
  } else {
    await db.run(`INSERT INTO runs ${runsSelect(columns, addedTable)}`);
    // Only a rename event changes a name already in `runs`: skip the join otherwise.
    if (namesChanged) {
      await db.run("UPDATE runs SET name = e.name FROM experiments e WHERE runs.id = e.id AND runs.name IS DISTINCT FROM e.name");
    }
  }
  return signature;
}

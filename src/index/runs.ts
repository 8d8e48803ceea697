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

/** Recount the keys users can filter, sort and pivot on. */
export async function refreshKeys(db: IndexDatabase): Promise<void> {
  await db.run("DELETE FROM keys");
  await db.run(`INSERT INTO keys
    SELECT 'param', key,
      CASE WHEN bool_and(type IN ('number', 'null')) AND bool_or(type = 'number') THEN 'number'
           WHEN bool_and(type IN ('boolean', 'null')) AND bool_or(type = 'boolean') THEN 'boolean'
           ELSE 'text' END,
      count(*)
    FROM params GROUP BY key
    UNION ALL SELECT 'metric', key, 'number', count(*) FROM metrics GROUP BY key
    UNION ALL SELECT 'tag', tag, 'text', count(*) FROM tags GROUP BY tag
    UNION ALL SELECT 'env', key, 'text', count(*) FROM env GROUP BY key`);
}

/** Bring `runs` in line: rebuilt when its columns change, else the added ids appended. */
export async function refreshRuns(db: IndexDatabase, previousSignature: string | null, addedTable: string): Promise<string> {
  const columns = await runsColumns(db);
  const signature = columnsSignature(columns);
  if (signature !== previousSignature) {
    await db.run(`CREATE OR REPLACE TABLE runs AS ${runsSelect(columns)}`);
  } else {
    await db.run(`INSERT INTO runs ${runsSelect(columns, addedTable)}`);
    await db.run("UPDATE runs SET name = e.name FROM experiments e WHERE runs.id = e.id AND runs.name IS DISTINCT FROM e.name");
  }
  return signature;
}

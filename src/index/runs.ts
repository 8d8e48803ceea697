import type { IndexDatabase } from "./database.js";
import type { JsonValue } from "../core/json.js";
import { listValue, timestampValue } from "./duckdb.js";
import { paramNumber, paramText } from "./param-values.js";
import { foldKey, keyId, type KeyTallyRow } from "./key-tally.js";

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

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Key names come from the index itself, never from a command line; still quoted safely. A
 * NUL, which no SQL text can hold, is spelled chr(0).
 */
function quoteText(s: string): string {
  return s
    .split("\u0000")
    .map((part) => `'${part.replace(/'/g, "''")}'`)
    .join(" || chr(0) || ");
}

/**
 * Each column's name in `runs`, in order: "params.<key>" or "metrics.<key>". DuckDB
 * matches names without regard to case, so a key that differs from an earlier one only in
 * case ("lr" after "LR") gets "_1", "_2" appended rather than
 * shadowing it; a NUL in a key, which no identifier can hold, is written "\0".
 */
function runsColumnNames(columns: RunsColumn[]): string[] {
  const taken = new Set<string>();
  return columns.map((c) => {
    const base = `${c.kind === "param" ? "params" : "metrics"}.${c.key.replace(/\u0000/g, "\\0")}`;
    let name = base;
    for (let n = 1; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/**
 * One column of the pivot. any_value skips NULLs, so this is `any_value(x) FILTER (WHERE
 * key = ...)`; spelled with CASE because DuckDB plans FILTER clauses in time superlinear in
 * their number (250 columns took 18 s, 500 took 29 s at 1 GB), CASE in linear time.
 */
function pivotColumn(key: string, expr: string, i: number): string {
  return `any_value(CASE WHEN key = ${quoteText(key)} THEN ${expr} END) AS c${i}`;
}

function paramColumn(c: RunsColumn, i: number): string {
  return pivotColumn(c.key, c.type === "number" ? "num" : c.type === "boolean" ? "TRY_CAST(value AS BOOLEAN)" : "value", i);
}

function metricColumn(c: RunsColumn, i: number): string {
  return pivotColumn(c.key, "value", i);
}

/** The SELECT that fills `runs`; `only` restricts it to the ids of a temporary table. */
function runsSelect(columns: RunsColumn[], only?: string): string {
  const names = runsColumnNames(columns);
  const params = columns.flatMap((c, i) => (c.kind === "param" ? [paramColumn(c, i)] : []));
  const metrics = columns.flatMap((c, i) => (c.kind === "metric" ? [metricColumn(c, i)] : []));
  const restrict = only ? ` WHERE id IN (SELECT id FROM ${only})` : "";
  // Columns travel as c<i> inside: their own names may differ only in case, which SQL does not see.
  const select = [
    "e.id, e.name, e.status, e.created_at, e.created_by, e.source_commit, e.branch, e.config_hash",
    ...columns.map((c, i) => `${c.kind === "param" ? "p" : "m"}.c${i} AS ${quoteIdent(names[i]!)}`),
  ];
  let from = "experiments e";
  if (params.length > 0) {
    from += ` LEFT JOIN (SELECT id, ${params.join(", ")} FROM params${restrict} GROUP BY id) p ON p.id = e.id`;
  }
  if (metrics.length > 0) {
    from += ` LEFT JOIN (SELECT id, ${metrics.join(", ")} FROM metrics${restrict} GROUP BY id) m ON m.id = e.id`;
  }
  return `SELECT ${select.join(", ")} FROM ${from}${only ? ` WHERE e.id IN (SELECT id FROM ${only})` : ""}`;
}

/**
 * `runs` holds a column for at most this many keys, those the most experiments carry
 * (metrics first among equals): each column costs ~1-2 ms to build, whatever the number of
 * experiments, so one wide experiment cannot make every update slow. The other keys are in
 * `params` and `metrics` as every key is, and listed in `keys`.
 */
export const RUNS_MAX_COLUMNS = 500;

async function runsColumns(db: IndexDatabase): Promise<RunsColumn[]> {
  const rows = await db.rows(
    `SELECT kind, key, type FROM (
       SELECT * FROM keys WHERE kind IN ('param', 'metric') ORDER BY experiments DESC, kind, key LIMIT ${RUNS_MAX_COLUMNS}
     ) ORDER BY kind DESC, key`,
  );
  return rows.map((r) => ({ kind: r["kind"] as RunsColumn["kind"], key: String(r["key"]), type: String(r["type"]) }));
}

function columnsSignature(columns: RunsColumn[]): string {
  return JSON.stringify(columns.map((c) => [c.kind, c.key, c.type]));
}

/**
 * Per kind of key: where its rows live, and the flags its type is read from (a param is a
 * number when all its values are numbers or null and one is a number; likewise boolean).
 * KeyTally (key-tally.ts) keeps the same flags in JavaScript for rows being added.
 */
const KEY_KINDS: { kind: string; table: string; column: string; flags: string }[] = [
  {
    kind: "param",
    table: "params",
    column: "key",
    flags: `bool_and(type IN ('number', 'null')) AS all_num, bool_or(type = 'number') AS any_num,
            bool_and(type IN ('boolean', 'null')) AS all_bool, bool_or(type = 'boolean') AS any_bool`,
  },
  { kind: "metric", table: "metrics", column: "key", flags: "true, true, false, false" },
  { kind: "tag", table: "tags", column: "tag", flags: "false, false, false, false" },
  { kind: "env", table: "env", column: "key", flags: "false, false, false, false" },
];

const KEY_TYPE = "CASE WHEN all_num AND any_num THEN 'number' WHEN all_bool AND any_bool THEN 'boolean' ELSE 'text' END";

/** Per key of the rows matching `where`: kind, key, n (rows) and the type flags. */
function keyCounts(kinds: typeof KEY_KINDS, where = ""): string {
  return kinds
    .map((k) => `SELECT '${k.kind}' AS kind, ${k.column} AS key, count(*) AS n, ${k.flags} FROM ${k.table} ${where} GROUP BY ${k.column}`)
    .join(" UNION ALL ");
}

/** The key tally (as KeyTally keeps it) of the rows of the experiments in table `ids`. */
export async function tallyKeys(db: IndexDatabase, ids: string): Promise<KeyTallyRow[]> {
  const rows = await db.rows(keyCounts(KEY_KINDS, `WHERE id IN (SELECT id FROM ${ids})`));
  return rows.map((r) => ({
    kind: r["kind"] as KeyTallyRow["kind"],
    key: String(r["key"]),
    n: Number(r["n"]),
    all_num: r["all_num"] === true,
    any_num: r["any_num"] === true,
    all_bool: r["all_bool"] === true,
    any_bool: r["any_bool"] === true,
  }));
}

/**
 * Recount the keys users can filter, sort and pivot on. With `added` (experiments were only
 * added), the new experiments' key tally is folded into `keys`: an update after one new run
 * looks at its own rows, not at every experiment's.
 */
export async function refreshKeys(db: IndexDatabase, added?: KeyTallyRow[]): Promise<void> {
  if (!added) {
    await db.run("DELETE FROM keys");
    await db.run(`INSERT INTO keys SELECT kind, key, ${KEY_TYPE}, n FROM (${keyCounts(KEY_KINDS)})`);
    return;
  }
  if (added.length > 0) await foldNewKeys(db, added);
}

/**
 * Fold the new rows' key tally into `keys` (see foldKey): the keys they carry are read,
 * folded here and written back; a key that needs it is recounted from all rows.
 */
async function foldNewKeys(db: IndexDatabase, added: KeyTallyRow[]): Promise<void> {
  const pairs = [listValue(added.map((t) => t.kind)), listValue(added.map((t) => t.key))];
  const tallied = "(SELECT unnest($1::VARCHAR[]) AS kind, unnest($2::VARCHAR[]) AS key) n";
  const old = new Map(
    (await db.rows(`SELECT k.kind, k.key, k.type, k.experiments FROM keys k JOIN ${tallied} ON k.kind = n.kind AND k.key = n.key`, pairs)).map((r) => [
      keyId(String(r["kind"]), String(r["key"])),
      { type: String(r["type"]), experiments: Number(r["experiments"]) },
    ]),
  );
  await db.run(`DELETE FROM keys USING ${tallied} WHERE keys.kind = n.kind AND keys.key = n.key`, pairs);
  const recount: string[] = [];
  const a = await db.appender("keys");
  for (const t of added) {
    const folded = foldKey(old.get(keyId(t.kind, t.key)), t);
    if (folded === "recount") {
      recount.push(t.key);
      continue;
    }
    for (const v of [t.kind, t.key, folded.type]) a.appendVarchar(v);
    a.appendBigInt(BigInt(folded.experiments));
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
  if (recount.length > 0) {
    const params = KEY_KINDS.filter((k) => k.kind === "param");
    await db.run(`INSERT INTO keys SELECT kind, key, ${KEY_TYPE}, n FROM (${keyCounts(params, "WHERE key IN (SELECT unnest($1::VARCHAR[]))")})`, [
      listValue(recount),
    ]);
  }
}

/** One new experiment's `runs` values, gathered while it is loaded. */
export interface RunsRow {
  id: string;
  name: string | null;
  status: string;
  createdMs: number | null;
  createdBy: string | null;
  commit: string | null;
  branch: string | null;
  configHash: string;
  params: Map<string, JsonValue>;
  metrics: Map<string, number | null>;
}

/**
 * Append rows to `runs` as runsSelect would fill them: a number param as its number, a
 * boolean one as a boolean, any other as its text; a metric as its value. For a few new
 * experiments: the SELECT scans every params and metrics row to find theirs (~20 ms).
 */
async function appendRuns(db: IndexDatabase, columns: RunsColumn[], rows: RunsRow[]): Promise<void> {
  const a = await db.appender("runs");
  const text = (v: string | null): void => (v === null ? a.appendNull() : a.appendVarchar(v));
  for (const r of rows) {
    for (const v of [r.id, r.name, r.status]) text(v);
    if (r.createdMs === null) a.appendNull();
    else a.appendTimestamp(timestampValue(BigInt(r.createdMs) * 1000n));
    for (const v of [r.createdBy, r.commit, r.branch, r.configHash]) text(v);
    for (const c of columns) {
      if (c.kind === "metric") {
        const m = r.metrics.get(c.key);
        if (m === undefined || m === null) a.appendNull();
        else a.appendDouble(m);
        continue;
      }
      const v = r.params.get(c.key);
      if (v === undefined || v === null) a.appendNull();
      else if (c.type === "number") a.appendDouble(paramNumber(v) ?? NaN);
      else if (c.type === "boolean") a.appendBoolean(v === true);
      else a.appendVarchar(paramText(v)!);
    }
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
}

/**
 * Bring `runs` in line: rebuilt when its columns change, else the added ids appended
 * (from `added` when the loader gathered their rows).
 */
export async function refreshRuns(
  db: IndexDatabase,
  previousSignature: string | null,
  addedTable: string,
  namesChanged = true,
  added?: RunsRow[],
): Promise<string> {
  const columns = await runsColumns(db);
  const signature = columnsSignature(columns);
  if (signature !== previousSignature) {
    await db.run(`CREATE OR REPLACE TABLE runs AS ${runsSelect(columns)}`);
  } else {
    if (added) await appendRuns(db, columns, added);
    else await db.run(`INSERT INTO runs ${runsSelect(columns, addedTable)}`);
    // Only a rename event changes a name already in `runs`: skip the join otherwise.
    if (namesChanged) {
      await db.run("UPDATE runs SET name = e.name FROM experiments e WHERE runs.id = e.id AND runs.name IS DISTINCT FROM e.name");
    }
  }
  return signature;
}

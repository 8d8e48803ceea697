import { GitExpError, InvalidInputError, TimeLimitError } from "../core/errors.js";
import type { StatementType as StatementKind } from "@duckdb/node-api";
import { StatementType } from "./duckdb.js";
import { readerRows, type IndexDatabase, type SqlRow } from "./database.js";

export interface QueryResult {
  columns: string[];
  /** DuckDB type names: DOUBLE, BIGINT, VARCHAR, TIMESTAMP, ... */
  types: string[];
  rows: SqlRow[];
}

/**
 * Run SQL a user typed on a read-only handle whose file access is off unless asked for
 * (DuckDB's enable_external_access, locked so SQL cannot turn it back on). Several
 * statements run in order; the last one's rows are the answer.
 */
export async function runUserSql(db: IndexDatabase, sql: string, options: { timeoutS?: number } = {}): Promise<QueryResult> {
  if (sql.replace(/[\s;]/g, "") === "") throw new InvalidInputError('the query is empty; give SQL such as "SELECT * FROM experiments LIMIT 5"');
  const limit = checkTimeout(options.timeoutS);
  // DuckDB stops a running statement when its connection is interrupted.
  let late = false;
  const timer =
    limit > 0
      ? setTimeout(() => {
          late = true;
          db.connection.interrupt();
        }, limit * 1000)
      : undefined;
  timer?.unref();
  try {
    return await runStatements(db, sql);
  } catch (e) {
    if (late) {
      throw new TimeLimitError(`the query ran past its time limit of ${limit} s and was interrupted; narrow it, or give more time with --timeout SECONDS (0 for none)`, {
        cause: e,
      });
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The time limit in seconds (default DEFAULT_SQL_TIMEOUT_S), checked: 0 means none. */
export function checkTimeout(seconds: number | undefined): number {
  const limit = seconds ?? DEFAULT_SQL_TIMEOUT_S;
  if (!(limit >= 0 && limit <= MAX_TIMEOUT_S)) throw new InvalidInputError(`--timeout takes seconds from 0 (no limit) to ${MAX_TIMEOUT_S}, not ${limit}`);
  return limit;
}

/** `git exp sql` stops a query after this long unless told otherwise (--timeout). */
const DEFAULT_SQL_TIMEOUT_S = 60;
/** Past what setTimeout holds (about 24.8 days), a limit is no limit. */
const MAX_TIMEOUT_S = 2_147_483;

async function runStatements(db: IndexDatabase, sql: string): Promise<QueryResult> {
  try {
    const statements = await db.connection.extractStatements(sql);
    if (statements.count === 0) throw new InvalidInputError('no SQL statement in the query; give SQL such as "SELECT * FROM experiments LIMIT 5"');
    let result: QueryResult = { columns: [], types: [], rows: [] };
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      // An index answered from memory (the file could not be written) is not opened
      // read-only: the statements that only read are the ones let through.
      if (!db.readOnly && !READING.has(prepared.statementType)) throw new Error("Cannot execute statement in read-only mode");
      const reader = await db.guard(prepared.runAndReadAll());
      result = { columns: reader.deduplicatedColumnNames(), types: reader.columnTypes().map(String), rows: readerRows(reader) };
    }
    return result;
  } catch (e) {
    if (e instanceof GitExpError) throw e;
    throw explain(e);
  }
}

const READING = new Set<StatementKind>([StatementType.SELECT, StatementType.EXPLAIN, StatementType.PRAGMA, StatementType.CALL]);

/** DuckDB's refusals, said in terms of what the user can do about them. */
function explain(e: unknown): Error {
  if (!(e instanceof Error)) return new InvalidInputError(`the query failed: ${String(e)}`);
  const msg = e.message;
  if (/read-only mode|read_only|attached in read-only/i.test(msg)) {
    return new InvalidInputError(
      `git exp sql only reads: statements that change data or the schema are refused (the index is rebuilt from git, so changes would be lost anyway)\n  ${firstLine(msg)}`,
      undefined,
      { cause: e },
    );
  }
  const option = /Cannot change configuration option "([^"]+)"/.exec(msg)?.[1];
  if (option && !/external_access|allow|lock_configuration|extension|directory/i.test(option)) {
    return new InvalidInputError(`settings cannot be changed in git exp sql (the index is opened read-only, with fixed settings)\n  ${firstLine(msg)}`, undefined, { cause: e });
  }
  if (/file system operations are disabled|enable_external_access|configuration has been locked|loading external extensions is disabled/i.test(msg)) {
    return new InvalidInputError(
      `reading or writing files, ATTACH, INSTALL and LOAD are refused in git exp sql; pass --allow-files to allow them\n  ${firstLine(msg)}`,
      undefined,
      { cause: e },
    );
  }
  return new InvalidInputError(`the query failed: ${msg.trim()}`, undefined, { cause: e });
}

function firstLine(s: string): string {
  return s.split("\n")[0]!;
}

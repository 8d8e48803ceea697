import type { DuckDBAppender, DuckDBConnection, DuckDBInstance as Instance, DuckDBResultReader, DuckDBType, DuckDBValue, JS } from "@duckdb/node-api";
import { DuckDBInstance } from "./duckdb.js";
import { IndexBusyError, IndexDamagedError } from "../core/errors.js";

/** A value as rows come back: JSON-safe (no bigint surprise), timestamps as ISO text. */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };
export type SqlRow = Record<string, SqlValue>;
export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

export interface OpenOptions {
  readOnly: boolean;
  /** How long to wait for another process's lock before giving up. */
  timeoutMs: number;
  /** Let SQL read and write files, attach databases, install extensions. */
  allowFiles?: boolean;
  /** A writer's DuckDB memory limit ("1GB"; default WRITER_MEMORY; GIT_EXP_INDEX_MEMORY sets it). */
  memoryLimit?: string;
}

/** DuckDB says so when another process holds the file. */
export function isLockError(e: unknown): boolean {
  return e instanceof Error && /could not set lock|conflicting lock/i.test(e.message);
}

/**
 * The one owner of a DuckDB instance and its connection. Values always go in as parameters;
 * rows come out JSON-safe.
 */
/** A writer's DuckDB memory limit unless GIT_EXP_INDEX_MEMORY says otherwise ("1GB", "300MB"). */
const WRITER_MEMORY = "512MB";

export class IndexDatabase {
  private constructor(
    private readonly instance: Instance,
    readonly connection: DuckDBConnection,
    readonly path: string,
    readonly readOnly: boolean,
  ) {}

  /**
   * Open a database file, waiting while another process holds a conflicting lock (DuckDB
   * allows one writer process, and a writer excludes readers).
   */
  static async open(path: string, options: OpenOptions): Promise<IndexDatabase> {
    const config: Record<string, string> = {
      access_mode: options.readOnly ? "READ_ONLY" : "READ_WRITE",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      threads: "2",
    };
    // A writer's buffer pool is capped: unbounded, DuckDB kept the pages of a full build in
    // memory (1.7 GiB at 300,000 realistic experiments, 1.1 GiB capped, and the build faster);
    // readers, the user's SQL among them, keep DuckDB's default.
    if (!options.readOnly) config["memory_limit"] = options.memoryLimit || WRITER_MEMORY;
    if (options.readOnly && !options.allowFiles) {
      config["enable_external_access"] = "false";
      config["lock_configuration"] = "true";
    }
    const deadline = Date.now() + options.timeoutMs;
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      try {
        const instance = await guard(path, DuckDBInstance.create(path, config));
        const connection = await instance.connect();
        return new IndexDatabase(instance, connection, path, options.readOnly);
      } catch (e) {
        if (!isLockError(e)) throw e; // damage comes out as IndexDamagedError, for the caller to rebuild
        if (Date.now() + wait > deadline) {
          throw new IndexBusyError(
            `the index ${path} is held by another git-exp process for over ${Math.round(options.timeoutMs / 1000)} s; try again, or raise GIT_EXP_LOCK_TIMEOUT (seconds)`,
            { cause: e },
          );
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async run(sql: string, params?: SqlParams, types?: DuckDBType[]): Promise<void> {
    await this.guard(this.connection.run(sql, params, types));
  }

  async rows(sql: string, params?: SqlParams, types?: DuckDBType[]): Promise<SqlRow[]> {
    const reader = await this.guard(this.connection.runAndReadAll(sql, params, types));
    return readerRows(reader);
  }

  /**
   * A column of values per selected name: for answers of many rows, which as row objects
   * cost more to build in JavaScript than the query costs DuckDB.
   */
  async columns(sql: string, params?: SqlParams): Promise<Map<string, SqlValue[]>> {
    const reader = await this.guard(this.connection.runAndReadAll(sql, params));
    const names = reader.deduplicatedColumnNames();
    const columns = reader.getColumnsJS();
    return new Map(names.map((n, i) => [n, columns[i]!.map((v) => jsonSafe(v))]));
  }

  async value(sql: string, params?: SqlParams): Promise<SqlValue> {
    const rows = await this.rows(sql, params);
    const first = rows[0];
    return first ? (Object.values(first)[0] ?? null) : null;
  }

  appender(table: string): Promise<DuckDBAppender> {
    return this.connection.createAppender(table);
  }

  /** Run statements in one transaction: all or nothing. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run("BEGIN TRANSACTION");
    try {
      const out = await fn();
      await this.run("COMMIT");
      return out;
    } catch (e) {
      await this.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  /** Leave the write-ahead log for the next writer: closing then costs no checkpoint. */
  async skipCheckpointOnClose(): Promise<void> {
    await this.run("PRAGMA disable_checkpoint_on_shutdown");
  }

  /** Damage to this index found by a query, as IndexDamagedError (see guard). */
  guard<T>(work: Promise<T>): Promise<T> {
    return guard(this.path, work);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** What DuckDB says when a block of the file under a query is damaged, not when SQL is wrong. */
const DAMAGED = /Corrupt database file|computed checksum|Could not read enough bytes/i;
/** What it says when a file is gone: damage only when it names the index (not a user's ATTACH). */
const GONE = /database does not exist|No such file or directory/i;

/** Damage to the index at `path` found by a query becomes IndexDamagedError, for the command to rebuild and rerun. */
async function guard<T>(path: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const damaged = e instanceof Error && (DAMAGED.test(e.message) || (GONE.test(e.message) && e.message.includes(path)));
    if (damaged) throw new IndexDamagedError(e.message.split("\n")[0]!, { cause: e });
    throw e;
  }
}

export function readerRows(reader: DuckDBResultReader): SqlRow[] {
  const names = reader.deduplicatedColumnNames();
  return reader.getRowsJS().map((r) => {
    const row: SqlRow = {};
    names.forEach((n, i) => (row[n] = jsonSafe(r[i])));
    return row;
  });
}

/** bigint -> number when exact (else text), Date -> ISO text, nested values likewise. */
function jsonSafe(v: JS | undefined): SqlValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x));
  if (typeof v === "object") {
    const out: Record<string, SqlValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, JS>)) out[k] = jsonSafe(x);
    return out;
  }
  return String(v);
}

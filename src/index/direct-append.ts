import type { DuckDBAppender } from "@duckdb/node-api";
import { LIST, listValue, timestampValue, VARCHAR } from "./duckdb.js";
import type { IndexDatabase } from "./database.js";

/** How a column of an index table is appended. */
export type ColumnKind = "text" | "double" | "bigint" | "timestamp" | "bool" | "textlist";

export interface StagedColumn {
  name: string;
  kind: ColumnKind;
}

/** A cell: timestamps as epoch milliseconds, text lists as arrays. */
export type StagedCell = string | number | bigint | boolean | string[] | null;

const TEXT_LIST = LIST(VARCHAR);

/**
 * Rows of a few experiments, held until finish() and then appended straight into their
 * tables: for one new run a few milliseconds, where a batch through DuckDB's JSON reader
 * (bulk-load.ts) costs its fixed statements.
 */
export class DirectAppend {
  private readonly rows = new Map<string, StagedCell[][]>();

  constructor(private readonly tables: Record<string, StagedColumn[]>) {}

  add(table: string, cells: StagedCell[]): void {
    let list = this.rows.get(table);
    if (!list) this.rows.set(table, (list = []));
    list.push(cells);
  }

  /** Rows that share their first cells and take the rest from parallel columns: a series' points. */
  addColumns(table: string, fixed: StagedCell[], columns: ArrayLike<number | bigint | null | undefined>[]): void {
    const rows = columns[0]?.length ?? 0;
    for (let i = 0; i < rows; i++) this.add(table, [...fixed, ...columns.map((col) => col[i] ?? null)]);
  }

  async finish(db: IndexDatabase): Promise<void> {
    for (const [table, rows] of this.rows) {
      const columns = this.tables[table]!;
      const a = await db.appender(table);
      for (const cells of rows) {
        columns.forEach((col, i) => appendCell(a, col.kind, cells[i] ?? null));
        a.endRow();
      }
      a.flushSync();
      a.closeSync();
    }
    this.rows.clear();
  }
}

function appendCell(a: DuckDBAppender, kind: ColumnKind, v: StagedCell): void {
  if (v === null) return a.appendNull();
  switch (kind) {
    case "text":
      return a.appendVarchar(String(v));
    case "textlist":
      return a.appendList(listValue((v as string[]).map(String)), TEXT_LIST);
    case "bool":
      return a.appendBoolean(Boolean(v));
    case "bigint":
      return a.appendBigInt(BigInt(v as number | bigint));
    case "timestamp":
      return a.appendTimestamp(timestampValue(BigInt(v as number) * 1000n));
    case "double":
      return a.appendDouble(Number(v));
  }
}

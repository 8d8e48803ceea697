import type { DuckDBAppender } from "@duckdb/node-api";
import { LIST, listValue, timestampValue, VARCHAR } from "./duckdb.js";
import type { IndexDatabase } from "./database.js";
import type { ColumnKind, RowSink, StagedCell, StagedColumn } from "./stage.js";

const TEXT_LIST = LIST(VARCHAR);

/**
 * Rows of a few experiments, appended straight into their tables. Staging pays for itself
 * in bulk; for one new run its temporary tables and joins cost ~60 ms of small statements
 * at 100,000 experiments, this a few milliseconds.
 */
export class DirectAppend implements RowSink {
  private readonly rows = new Map<string, StagedCell[][]>();

  constructor(private readonly tables: Record<string, StagedColumn[]>) {}

  add(table: string, cells: StagedCell[]): void {
    let list = this.rows.get(table);
    if (!list) this.rows.set(table, (list = []));
    list.push(cells);
  }

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

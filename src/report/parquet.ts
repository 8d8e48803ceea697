import { EnvironmentError } from "../core/errors.js";
import type { ExportColumn, ExportTable, ExportValue } from "../core/table.js";

const SQL_TYPE: Record<ExportColumn["type"], string> = {
  varchar: "VARCHAR",
  double: "DOUBLE",
  integer: "BIGINT",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  "varchar[]": "VARCHAR[]",
};

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Write a table as Parquet through DuckDB: typed columns filled with the Appender, then
 * one COPY. DuckDB is imported here only, so other commands never pay for loading it.
 */
export async function writeParquet(table: ExportTable, path: string): Promise<void> {
  const duck = await import("@duckdb/node-api");
  const instance = await duck.DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const cols = table.columns.map((c) => `${ident(c.name)} ${SQL_TYPE[c.type]}`).join(", ");
    await conn.run(`CREATE TABLE experiments (${cols})`);
    const appender = await conn.createAppender("experiments");
    for (const row of table.rows) {
      table.columns.forEach((c, i) => append(appender, c.type, row[i] ?? null, duck));
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(`COPY experiments TO '${path.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
  } catch (e) {
    throw new EnvironmentError(`could not write Parquet to ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

type Duck = typeof import("@duckdb/node-api");
type Appender = Awaited<ReturnType<InstanceType<Duck["DuckDBConnection"]>["createAppender"]>>;

function append(a: Appender, type: ExportColumn["type"], v: ExportValue, duck: Duck): void {
  if (v === null) return a.appendNull();
  switch (type) {
    case "double":
      return a.appendDouble(Number(v));
    case "integer":
      return a.appendBigInt(BigInt(Math.trunc(Number(v))));
    case "boolean":
      return a.appendBoolean(Boolean(v));
    case "timestamp":
      return a.appendTimestamp(duck.timestampValue(BigInt(Date.parse(String(v))) * 1000n));
    case "varchar[]":
      return a.appendList(duck.listValue(v as string[]), duck.LIST(duck.VARCHAR));
    default:
      return a.appendVarchar(String(v));
  }
}

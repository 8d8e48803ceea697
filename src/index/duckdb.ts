import duckdb from "@duckdb/node-api";

/**
 * @duckdb/node-api is CommonJS. The CLI bundle inlines it (one parsed chunk instead of ~100
 * files resolved and scanned for export names, ~50 ms of every index command's start);
 * only the native binding is loaded from node_modules.
 */
export const { DuckDBInstance, LIST, VARCHAR, listValue, timestampValue, StatementType } = duckdb;

import duckdb from "@duckdb/node-api";
import nodeBindings from "@duckdb/node-bindings";

/**
 * @duckdb/node-api is CommonJS. The CLI bundle inlines it (one parsed chunk instead of ~100
 * files resolved and scanned for export names, ~50 ms of every index command's start);
 * only the native binding is loaded from node_modules.
 */
export const { BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, LIST, VARCHAR, listValue, timestampValue } = duckdb;

/**
 * The binding underneath @duckdb/node-api, for the one thing the API does value by value:
 * copying a typed array into a data chunk's column (stage.ts).
 */
export const bindings = nodeBindings;
if (bindings.sizeof_bool !== 1) throw new Error(`DuckDB's bool is ${bindings.sizeof_bool} bytes here; git-exp stages booleans as one byte`);

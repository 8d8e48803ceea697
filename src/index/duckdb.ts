import { createRequire } from "node:module";

/**
 * @duckdb/node-api loaded with require, not import: it is CommonJS, and an ESM import of it
 * makes Node scan every one of its ~100 re-exported files for export names before the
 * first query (~100 ms of every index command's start).
 */
const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");

export const { BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, LIST, VARCHAR, listValue, timestampValue } = duckdb;

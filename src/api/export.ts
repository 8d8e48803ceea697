import { experimentTable, exportDocuments } from "../analysis/export.js";
import type { ExportTable } from "../core/table.js";
import type { Selection } from "../index/selection.js";
import type { Workspace } from "./workspace.js";

export type { ExportTable };

/** The ids a selection picks through the index; undefined without one: every experiment goes, read straight from git. */
async function selected(ws: Workspace, selection: Selection): Promise<string[] | undefined> {
  const selective = Boolean(selection.where || selection.tags?.length || selection.since || selection.branch || selection.status);
  if (!selective) return undefined;
  // loaded only for a filter: DuckDB's binding costs ~190 ms, which naming experiments must not pay
  const { idsMatching } = await import("../index/queries.js");
  return ws.query((db) => idsMatching(db, selection));
}

/**
 * `git exp export` as NDJSON: one lossless document a line (import gives the same ids back),
 * annotations included, deleted experiments left out. `open` is called once the selection
 * is known good, so a bad filter creates no file. Returns what could not be read.
 */
export async function exportNdjson(ws: Workspace, selection: Selection, open: () => (line: string) => void): Promise<{ problems: string[] }> {
  const only = await selected(ws, selection);
  const store = await ws.store();
  return exportDocuments(store, open(), only);
}

/** `git exp export --format csv|parquet`: one row per experiment, a column per param and metric. */
export async function exportTable(ws: Workspace, selection: Selection): Promise<{ table: ExportTable; problems: string[] }> {
  const only = await selected(ws, selection);
  return experimentTable(await ws.store(), only);
}

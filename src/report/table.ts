import type { ExportTable, ExportValue } from "../core/table.js";
import { renderCsv, type Row } from "./format.js";

/** CSV with a header row; lists (tags) joined with commas, NaN and infinities spelled out. */
export function tableToCsv(t: ExportTable): string {
  const names = t.columns.map((c) => c.name);
  const rows: Row[] = t.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, cell(r[i] ?? null)])));
  return renderCsv(names, rows);
}

function cell(v: ExportValue): string | number | boolean | null {
  return Array.isArray(v) ? v.join(",") : v;
}

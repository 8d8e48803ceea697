import type { JsonValue } from "../core/json.js";
import { formatCell, formatNumber, renderRows, type OutputFormat, type Row } from "./format.js";
import { shortId } from "../core/ids.js";

/** `mm:ss` or `h:mm:ss`. */
export function formatElapsed(seconds: number): string {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** The status line of a running command: elapsed time, step and the latest metrics, cut to the width. */
export function renderStatusLine(
  p: { index: number; total: number; elapsedSeconds: number; step: number | undefined; latest: Map<string, number | null> },
  width: number,
): string {
  const parts = [`git-exp ${p.total > 1 ? `[${p.index + 1}/${p.total}] ` : ""}${formatElapsed(p.elapsedSeconds)}`];
  if (p.step !== undefined) parts.push(`step ${p.step}`);
  for (const [k, v] of p.latest) parts.push(`${k}=${v === null ? "null" : formatNumber(v)}`);
  const line = parts.join("  ");
  return line.length > width - 1 ? line.slice(0, Math.max(0, width - 2)) + "…" : line;
}

export interface SweepRow {
  index: number;
  id: string;
  status: string;
  exitCode: number;
  durationSeconds: number;
  varying: Record<string, JsonValue>;
  results: Record<string, number | null>;
}

/** The table printed when a sweep ends: one row per point, its varying params and final metrics. */
export function renderSweepSummary(rows: SweepRow[], format: OutputFormat, width: number): string {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.varying)))];
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.results)))].slice(0, 6);
  const columns = ["#", "id", "status", "exit", "time_s", ...params, ...metrics];
  const table: Row[] = rows.map((r) => {
    const row: Row = {
      "#": r.index + 1,
      id: format === "table" ? shortId(r.id) : r.id,
      status: r.status,
      exit: r.exitCode,
      time_s: Math.round(r.durationSeconds * 10) / 10,
    };
    for (const p of params) row[p] = r.varying[p] === undefined ? undefined : valueCell(r.varying[p]!);
    for (const m of metrics) row[m] = r.results[m];
    return row;
  });
  return renderRows(format, columns, table, width);
}

function valueCell(v: JsonValue): string | number | boolean | null {
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null) return v;
  if (typeof v === "bigint") return v.toString();
  return formatCell(JSON.stringify(v));
}

/** Renderers of rows: a terminal table that fits the width, CSV, Markdown and JSON. */
import { charWidth, displayWidth } from "../core/text-width.js";

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;
export type OutputFormat = "table" | "json" | "csv" | "md";

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  return String(v);
}

/** Metric values: 6 significant digits, NaN and infinities spelled out. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const p = Number(n.toPrecision(6));
  // Six significant digits of 123456789.123 written out would read as the exact 123457000.
  return Math.abs(p) >= 1e-4 && Math.abs(p) < 1e6 ? String(p) : p.toExponential();
}

/**
 * A plain-text table. When wider than `width`, the widest columns are cut with "…" so
 * every column stays visible: a value keeps its start (an id, a date), a header its end
 * (`…optimizer.lr`, where key paths differ). Widths count what a terminal shows: a CJK
 * character takes two columns.
 */
export function renderTable(columns: string[], rows: Row[], width = 100): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(formatCell(r[c]))));
  const widths = columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]!))));
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 8) break;
    widths[widest]!--;
  }
  const line = (vals: string[], keepEnd: boolean): string => vals.map((v, i) => fitWidth(v, widths[i]!, keepEnd)).join("  ").trimEnd();
  return [line(columns, true), ...cells.map((r) => line(r, false))].join("\n") + "\n";
}

/** `s` as it is when it fits `w` columns, else its start cut with "…" to fit. */
export function shorten(s: string, w: number): string {
  return displayWidth(s) <= w ? s : fitWidth(s, w, false).trimEnd();
}

/** `s` padded or cut (with "…") to exactly `w` columns, keeping its start or its end. */
function fitWidth(s: string, w: number, keepEnd: boolean): string {
  const have = displayWidth(s);
  if (have <= w) return s + " ".repeat(w - have);
  const chars = [...s];
  if (keepEnd) chars.reverse();
  let out = "";
  let used = 0;
  for (const ch of chars) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (used + cw > w - 1) break;
    out = keepEnd ? ch + out : out + ch;
    used += cw;
  }
  const pad = " ".repeat(w - 1 - used);
  return keepEnd ? "…" + out + pad : out + "…" + pad;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, " ");
}

export function renderCsv(columns: string[], rows: Row[]): string {
  const esc = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map(esc).join(",")];
  for (const r of rows) lines.push(columns.map((c) => esc(csvCell(r[c]))).join(","));
  return lines.join("\n") + "\n";
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : formatNumber(v);
  return String(v);
}

export function renderMarkdown(columns: string[], rows: Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [`| ${columns.map(esc).join(" | ")} |`, `| ${columns.map(() => "---").join(" | ")} |`];
  for (const r of rows) lines.push(`| ${columns.map((c) => esc(formatCell(r[c]))).join(" | ")} |`);
  return lines.join("\n") + "\n";
}

/** JSON that never meets a bigint or NaN surprise: NaN and infinities become strings. */
export function renderJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (_k, v: unknown) => {
        if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
        if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        return v;
      },
      2,
    ) + "\n"
  );
}

export function renderRows(format: OutputFormat, columns: string[], rows: Row[], width: number): string {
  switch (format) {
    case "json":
      return renderJson(rows);
    case "csv":
      return renderCsv(columns, rows);
    case "md":
      return renderMarkdown(columns, rows);
    default:
      return rows.length === 0 ? "" : renderTable(columns, rows, width);
  }
}

import { directionOf } from "../core/choices.js";
import type { Comparison, CompareColumn } from "../core/compare-results.js";
import { renderCsv, renderJson, renderMarkdown, renderTable, type OutputFormat, type Row } from "./format.js";
import { valueText } from "./diff.js";

/** Column headings: the name when it is unique among the columns, else name and short id. */
export function columnLabels(columns: CompareColumn[]): string[] {
  const counts = new Map<string, number>();
  for (const c of columns) if (c.name) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return columns.map((c) => (c.name && counts.get(c.name) === 1 ? c.name : `${c.name ? `${c.name} ` : ""}${c.id.slice(0, 10)}`));
}

/**
 * `git exp compare`: params and metrics as rows, one column per experiment. The best value
 * of a metric is marked: `*` in a table, bold in Markdown; CSV stays plain data.
 */
export function renderComparison(c: Comparison, format: OutputFormat, width = 100): string {
  if (format === "json") return renderJson(c);
  const labels = columnLabels(c.columns);
  const header = ["", "key", ...labels];
  const mark = (s: string): string => (format === "md" ? `**${s}**` : format === "table" ? `${s} *` : s);
  const rows: Row[] = c.rows.map((r) => {
    const row: Row = { "": r.kind === "param" ? "param" : `metric (${directionOf(r.direction ?? "higher")})`, key: r.key };
    r.values.forEach((v, i) => {
      const text = v === undefined ? "" : valueText(v);
      row[labels[i]!] = r.best.includes(i) ? mark(text) : text;
    });
    return row;
  });
  if (format === "csv") return renderCsv(header, rows);
  if (format === "md") return renderMarkdown(header, rows);
  if (rows.length === 0) return "";
  return renderTable(header, rows, width);
}

/** What a table leaves out, for stderr. */
export function comparisonNote(c: Comparison): string | undefined {
  if (c.columns.length === 1) return undefined;
  if (c.rows.length === 0) return `the ${c.columns.length} experiments have the same params and metrics: no differences`;
  if (c.hidden > 0) return `${c.hidden} row${c.hidden === 1 ? "" : "s"} with the same value everywhere hidden; --all shows them`;
  return undefined;
}

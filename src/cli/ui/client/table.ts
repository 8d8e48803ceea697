import { esc, fmt, isNonFinite } from "./dom.js";
import { state } from "./state.js";

export const SORTABLE_ATTRS = ["id", "name", "status", "created_at", "created_by", "branch", "source_commit", "config_hash", "duration_s", "exit_code", "message"];

export type Row = Record<string, unknown>;

export interface TableOptions {
  /** A checkbox a row, and one in the head for the whole page. */
  select?: boolean;
  sortable?: boolean;
  sort?: string;
  desc?: boolean;
}

/** A table as HTML: one string, one innerHTML, however many rows. */
export function table(columns: string[], rows: Row[], opts: TableOptions = {}): string {
  let h = '<div class="scroll-box"><div class="table-wrap"><table><thead><tr>' + (opts.select ? '<th><input type="checkbox" id="select-page" title="select this page"></th>' : "");
  for (const c of columns) {
    const sortable = opts.sortable && (SORTABLE_ATTRS.includes(c) || /^(params|metrics)\./.test(c));
    const dir = opts.sort === c ? '<span class="dir">' + (opts.desc ? "▼" : "▲") + "</span>" : "";
    h += "<th" + (sortable ? ' class="sortable" data-col="' + esc(c) + '" title="sort by ' + esc(c) + '"' : "") + ">" + esc(c) + dir + "</th>";
  }
  h += "</tr></thead><tbody>";
  for (const r of rows) {
    const id = r["id"] || r["_id"];
    const sel = opts.select && state.selected.has(String(r["id"]));
    h += "<tr" + (id ? ' data-id="' + esc(id) + '"' : "") + (sel ? ' class="sel"' : "") + ">";
    if (opts.select) h += '<td><input type="checkbox" class="pick" data-id="' + esc(r["id"]) + '"' + (sel ? " checked" : "") + "></td>";
    for (const c of columns) {
      const v = r[c];
      const cls = typeof v === "number" ? "num" : isNonFinite(v) ? "num nan" : c === "id" ? "id" : "";
      let text = esc(fmt(v, c));
      if (c === "id" && v) text = '<a class="run-link" href="#page=run&amp;run=' + esc(v) + '" data-run="' + esc(v) + '">' + text + "</a>";
      h += "<td" + (cls ? ' class="' + cls + '"' : "") + ' title="' + esc(v == null ? "" : typeof v === "object" ? JSON.stringify(v) : v) + '">' + text + "</td>";
    }
    h += "</tr>";
  }
  return h + '</tbody></table></div><div class="scroll-cue" aria-hidden="true">more columns →</div></div>';
}

/** A table wider than the page scrolls sideways; the cue shows while columns lie to the right. */
export function updateScrollCues(): void {
  document.querySelectorAll<HTMLElement>(".scroll-box").forEach((box) => {
    const w = box.querySelector<HTMLElement>(".table-wrap");
    if (!w) return;
    if (!w.dataset["cue"]) {
      w.dataset["cue"] = "1";
      w.addEventListener("scroll", updateScrollCues);
    }
    box.classList.toggle("more-right", w.scrollLeft + w.clientWidth < w.scrollWidth - 2);
    box.classList.toggle("more-left", w.scrollLeft > 2);
  });
}

import { $ } from "./dom.js";
import { isPage, state } from "./state.js";

/** The state worth a bookmark, in the address's fragment; defaults are left out. */
export function saveHash(): void {
  const h = new URLSearchParams();
  if (state.page !== "runs") h.set("page", state.page);
  if (state.page === "run" && state.run) h.set("run", state.run);
  if (state.where) h.set("where", state.where);
  if (state.sort !== "created_at" || !state.desc) {
    h.set("sort", state.sort);
    h.set("desc", state.desc ? "1" : "0");
  }
  if (state.offset) h.set("offset", String(state.offset));
  if (state.columns) h.set("columns", state.columns.join(","));
  if (state.view) h.set("view", state.view);
  if (state.axes) h.set("axes", state.axes.join(","));
  if (Object.keys(state.brush).length) h.set("brush", JSON.stringify(state.brush));
  if (state.sx) h.set("sx", state.sx);
  if (state.sy) h.set("sy", state.sy);
  if (state.sc) h.set("sc", state.sc);
  const text = h.toString();
  if (location.hash.slice(1) !== text) history.replaceState(null, "", text ? "#" + text : location.pathname);
}

/** The address as typed or bookmarked: anything that does not read is the default. */
export function readHash(): void {
  const h = new URLSearchParams(location.hash.slice(1));
  const list = (name: string): string[] | null => {
    const v = h.get(name);
    return v ? v.split(",") : null;
  };
  state.where = h.get("where") || "";
  state.sort = h.get("sort") || "created_at";
  state.desc = h.get("desc") !== "0";
  state.offset = Number(h.get("offset")) || 0;
  state.columns = list("columns");
  const page = h.get("page");
  state.page = isPage(page) ? page : "runs";
  state.run = h.get("run") || null;
  const view = h.get("view");
  state.view = view === "parallel" || view === "scatter" ? view : "";
  state.axes = list("axes");
  let brush: unknown = {};
  try {
    brush = h.get("brush") ? JSON.parse(h.get("brush")!) : {};
  } catch {
    brush = {};
  }
  state.brush = brush && typeof brush === "object" ? (brush as typeof state.brush) : {};
  state.sx = h.get("sx") || "";
  state.sy = h.get("sy") || "";
  state.sc = h.get("sc") || "";
  $<HTMLInputElement>("filter").value = state.where;
}

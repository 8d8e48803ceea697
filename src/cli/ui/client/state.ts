import type { IndexKeys, RunsPage } from "../../../api/dashboard.js";

export const PAGES = ["runs", "top", "trend", "live", "run"] as const;
export type PageName = (typeof PAGES)[number];

export function isPage(p: string | null | undefined): p is PageName {
  return (PAGES as readonly (string | null | undefined)[]).includes(p);
}
export type View = "" | "parallel" | "scatter";
export type Detail = "curves" | "compare" | "diff" | "media";

/** An axis filter of parallel coordinates: a range of numbers, or a set of categories. */
export interface Brush {
  lo?: number;
  hi?: number;
  cats?: string[];
}

/** Everything the page shows, one object: the address (url-state.ts) is written from it and read back into it. */
export interface State {
  where: string;
  sort: string;
  desc: boolean;
  offset: number;
  limit: number;
  total: number;
  columns: string[] | null;
  keys: IndexKeys | null;
  /** Selected run ids, kept across pages of the table. */
  selected: Map<string, string | null>;
  rows: RunsPage["rows"];
  detail: Detail | null;
  page: PageName;
  run: string | null;
  view: View;
  axes: string[] | null;
  brush: Record<string, Brush>;
  sx: string;
  sy: string;
  sc: string;
  curveMetric?: string;
  bands?: boolean;
  mediaKey?: string;
}

export const state: State = {
  where: "",
  sort: "created_at",
  desc: true,
  offset: 0,
  limit: 50,
  total: 0,
  columns: null,
  keys: null,
  selected: new Map(),
  rows: [],
  detail: null,
  page: "runs",
  run: null,
  view: "",
  axes: null,
  brush: {},
  sx: "",
  sy: "",
  sc: "",
};

/** Timings npm run bench ui reads from the page. */
export interface PaintTiming {
  runs: number;
  fetchMs: number;
  drawMs: number;
  totalMs: number;
  sinceStartMs: number;
}

declare global {
  interface Window {
    __tableMs?: number;
    __pcTiming?: PaintTiming;
  }
}

/** What every view uses: elements by id, HTML escaping, cell text, and asking the server. */

export interface ApiError {
  message: string;
  column?: number;
  code?: string;
}

/** An answer of the server: what was asked for, or the error it explains (a user's mistake, or no server). */
export type Answer<T> = (T & { error?: undefined }) | { error: ApiError };

/** An element of the page; the page's HTML (page.ts) holds every id asked for here. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** An element a view just wrote, or null when the view was replaced in the meantime. */
export function maybe<T extends HTMLElement = HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(s: unknown): string {
  return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The storage format's spelling of numbers JSON cannot hold. */
export function isNonFinite(v: unknown): boolean {
  return v === "NaN" || v === "Infinity" || v === "-Infinity";
}

export function fmt(v: unknown, col?: string): string {
  if (v == null) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const p = Number(v.toPrecision(6));
    return Math.abs(p) >= 1e-4 && Math.abs(p) < 1e15 ? String(p) : p.toExponential();
  }
  if (col === "id" || col === "config_hash" || col === "source_commit") return String(v).slice(0, 10);
  if (col === "created_at" && typeof v === "string") return v.slice(0, 16).replace("T", " ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export type Params = Record<string, string | number | boolean | null | undefined>;

/** GET a JSON answer; an unreachable server or a body that is no JSON comes back as an error to show. */
export function api<T>(path: string, params: Params = {}): Promise<Answer<T>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  return fetch(path + "?" + q.toString()).then(
    (r) => r.json().then((body: unknown) => body as Answer<T>, (): Answer<T> => ({ error: { message: "the server answered " + r.status } })),
    (): Answer<T> => ({ error: { message: "cannot reach git exp ui: is it still running?" } }),
  );
}

export function errorBox(msg: string): string {
  return '<p class="muted">' + esc(msg) + "</p>";
}

export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];

/** The colour of palette entry i, wrapping around. */
export function paletteColour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

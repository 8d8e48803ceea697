import type { RunMatrix } from "../../../api/dashboard.js";
import { esc } from "./dom.js";
import { state } from "./state.js";

export type MatrixColumn = RunMatrix["columns"][number];
export type AxisValue = MatrixColumn["values"][number];

/** Where an axis puts a value, 0 (bottom) to 1 (top); null where the run has none. */
export type Scale =
  | { kind: "category"; cats: string[]; pos: (v: AxisValue) => number | null }
  | { kind: "number"; lo: number; hi: number; pos: (v: AxisValue) => number | null; value: (t: number) => number };

/** The axes a chart starts with: the params that vary, then the first metrics. */
export function defaultAxes(): string[] {
  const d = state.keys?.defaults ?? [];
  const ps = d.filter((c) => c.startsWith("params."));
  const ms = d.filter((c) => c.startsWith("metrics."));
  return ps.slice(0, 6).concat(ms.slice(0, 2));
}

export function allKeys(): string[] {
  const k = state.keys ?? { params: [], metrics: [] };
  return k.params.map((p) => "params." + p).concat(k.metrics.map((m) => "metrics." + m));
}

export function keyOptions(selected: string, blank?: string): string {
  return (blank ? '<option value="">' + esc(blank) + "</option>" : "") + allKeys().map((c) => "<option" + (c === selected ? " selected" : "") + ">" + esc(c) + "</option>").join("");
}

/** Categories evenly spaced, sorted; numbers from their least to their greatest. */
export function axisScale(col: MatrixColumn): Scale {
  if (col.kind === "category") {
    const cats = Array.from(new Set(col.values.filter((v): v is string => v !== null).map(String))).sort();
    const at = new Map(cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]));
    return { kind: "category", cats, pos: (v) => (v === null ? null : (at.get(String(v)) ?? null)) };
  }
  let [lo, hi] = minMax(col.values);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  return { kind: "number", lo, hi, pos: (v) => (typeof v === "number" ? (v - lo) / (hi - lo) : null), value: (t) => lo + t * (hi - lo) };
}

export function minMax(values: ArrayLike<AxisValue>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}

export function colourRamp(t: number): string {
  // from blue (low) to orange (high): readable on white, and for most colour blindness
  const a = [47, 109, 181];
  const b = [242, 142, 43];
  return "rgb(" + a.map((x, i) => Math.round(x + (b[i]! - x) * t)).join(",") + ")";
}

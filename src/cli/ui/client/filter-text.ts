import { state } from "./state.js";

const BT = "`";

/** A key as the filter language reads it: back ticks around a part that is not a plain name. */
export function keyText(k: string): string {
  const m = /^(params|metrics)\.(.*)$/.exec(k);
  if (!m || /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(m[2]!)) return k;
  return m[1] + "." + BT + m[2]!.split(BT).join(BT + BT) + BT;
}

function literal(v: string | number): string {
  return typeof v === "number" ? String(v) : "'" + String(v).split("'").join("''") + "'";
}

/** The axis filters of parallel coordinates as filter text: a range, or a set of categories. */
export function brushWhere(): string {
  return Object.keys(state.brush)
    .sort()
    .map((k) => {
      const b = state.brush[k]!;
      const key = keyText(k);
      if (b.cats) return "(" + b.cats.map((c) => key + " = " + literal(c)).join(" or ") + ")";
      return "(" + key + " >= " + b.lo + " and " + key + " <= " + b.hi + ")";
    })
    .join(" and ");
}

/** The typed filter and the axis filters together: what the runs table and the scatter ask for. */
export function effectiveWhere(): string {
  const b = brushWhere();
  if (!b) return state.where;
  return state.where ? "(" + state.where + ") and " + b : b;
}

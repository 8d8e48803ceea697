const BARS = "▁▂▃▄▅▆▇█";

/**
 * A one-line chart of values, lowest to highest as ▁ to █. Missing values and NaN are
 * gaps; infinities are clamped to the ends; all-equal values sit in the middle.
 */
export function sparkline(values: (number | null)[]): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return values.map((v) => (v === null || Number.isNaN(v) ? " " : v > 0 ? BARS[7] : BARS[0])).join("");
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values
    .map((v) => {
      if (v === null || Number.isNaN(v)) return " ";
      if (!Number.isFinite(v)) return v > 0 ? BARS[7] : BARS[0];
      if (hi === lo) return BARS[3];
      return BARS[Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8))];
    })
    .join("");
}

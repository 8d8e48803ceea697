import type { ReproVerdict } from "../core/repro-results.js";
import { paint, renderDiff } from "./diff.js";

/** `git exp repro`: the verdict first, then what differs, as `git exp diff` shows it. */
export function renderRepro(v: ReproVerdict, options: { color?: boolean; width?: number } = {}): string {
  const p = paint(options.color ?? false);
  const lines = [
    v.reproduced
      ? p.add(`reproduced: rerun ${v.rerun.slice(0, 12)} matches ${v.original.slice(0, 12)} within tolerance`)
      : p.del(`not reproduced: rerun ${v.rerun.slice(0, 12)} differs from ${v.original.slice(0, 12)}`),
  ];
  for (const r of v.reasons) lines.push(`  - ${r}`);
  if (v.explanations.length) lines.push("what could explain it:", ...v.explanations.map((e) => `  - ${e}`));
  return lines.join("\n") + "\n\n" + renderDiff(v.diff, options);
}

import type { ReproVerdict } from "../core/repro-results.js";
import { paint, renderDiff } from "./diff.js";
import { shortId } from "../core/ids.js";

/** `git exp repro`: the verdict first, then what differs, as `git exp diff` shows it. */
export function renderRepro(v: ReproVerdict, options: { color?: boolean; width?: number } = {}): string {
  const p = paint(options.color ?? false);
  const lines = [
    v.reproduced
      ? p.add(`reproduced: rerun ${shortId(v.rerun)} matches ${shortId(v.original)} within tolerance`)
      : p.del(`not reproduced: rerun ${shortId(v.rerun)} differs from ${shortId(v.original)}`),
  ];
  for (const r of v.reasons) lines.push(`  - ${r}`);
  if (v.explanations.length) lines.push("what could explain it:", ...v.explanations.map((e) => `  - ${e}`));
  return lines.join("\n") + "\n\n" + renderDiff(v.diff, options);
}

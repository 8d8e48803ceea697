/** A 1x1 PNG, and SVGs of one colour each: media of several steps that a test can tell apart. */
export const PNG_1X1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

export function svg(colour: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="${colour}"/></svg>`;
}

/**
 * An experiment with system metrics (series/system/...) and media (media/<key>/<step>.<ext>),
 * as a document another tool or a run writes; then show, plot, report and the index read them.
 */
export function systemDoc(name: string, start = Date.parse("2026-03-01T10:00:00.000Z") / 1000): Record<string, unknown> {
  const time = [1, 11, 21].map((t) => start + t);
  return {
    experiment: { name, created_at: new Date(start * 1000).toISOString() },
    config: { lr: 0.1 },
    results: { acc: 0.9 },
    series: {
      loss: { step: [0, 1, 2], value: [1, 0.5, 0.25] },
      "system/cpu_pct": { step: [0, 1, 2], value: [95.5, 101, 99], time },
      "system/rss_mb": { step: [0, 1, 2], value: [210, 260, 255.5], time },
      "system/gpu0/util_pct": { step: [0, 1, 2], value: [0, 87, 91], time },
    },
    files: {
      "media/samples/0.png": { base64: PNG_1X1.toString("base64") },
      "media/samples/5.svg": { text: svg("#59a14f") },
      "media/samples/10.svg": { text: svg("#e15759") },
    },
  };
}

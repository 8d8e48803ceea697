import type { BenchRow } from "./harness.js";

/**
 * `npm run bench [area...]`: every area measures its figures against a baseline taken in
 * the same run, so a noisy machine shifts both. Prints a Markdown table for docs/performance.md.
 */
const AREAS: Record<string, () => Promise<{ bench: () => Promise<BenchRow[]> }>> = {
  store: () => import("./store.js"),
  share: () => import("./share.js"),
  repro: () => import("./repro.js"),
  run: () => import("./run.js"),
  index: () => import("./index.js"),
  // The limits part of `index` alone: `npm run bench index-limits`.
  "index-limits": () => import("./index-limits.js").then((m) => ({ bench: m.benchLimits })),
  ui: () => import("./ui.js"),
  "working-copy": () => import("./working-copy.js"),
  search: () => import("./search.js"),
  cluster: () => import("./cluster.js"),
  python: () => import("./python.js"),

};

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

async function runBench(): Promise<void> {
  const wanted = process.argv.slice(2);
  const rows: BenchRow[] = [];
  for (const [area, load] of Object.entries(AREAS)) {
    if (wanted.length > 0 && !wanted.includes(area)) continue;
    process.stderr.write(`bench: ${area}...\n`);
    const { bench } = await load();
    for (const row of await bench()) {
      rows.push(row);
      process.stderr.write(`  ${row.name}: ${fmt(row.value)} ${row.unit}\n`);
    }
  }
  const lines = [
    "| area | measure | value | baseline (same run) | ratio | goal |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const base = r.baselineValue !== undefined ? `${r.baselineName}: ${fmt(r.baselineValue)} ${r.unit}` : "";
    const ratio = r.baselineValue ? `${(r.value / r.baselineValue).toFixed(2)}x` : "";
    lines.push(`| ${r.area} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${base} | ${ratio} | ${r.goal ?? ""} |`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

await runBench();

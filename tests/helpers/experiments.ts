import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, tempDir } from "./repo.js";

/** A raw experiment document as a user's tool would write it. */
export interface Doc {
  experiment: { name: string; created_at: string; tags?: string[]; status?: string };
  config: Record<string, unknown>;
  results: Record<string, unknown>;
  series?: Record<string, { step: number[]; value: (number | string | null)[] }>;
}

/** Deterministic pseudo-random numbers, so fixtures are the same on every machine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * 120 experiments with what breaks naive indexes: ties, NaN, missing metrics, nested and
 * unicode params, repeated configs, several days and tags.
 */
export function fixtureDocs(count = 120): Doc[] {
  const rand = rng(7);
  const docs: Doc[] = [];
  for (let i = 0; i < count; i++) {
    const lr = [0.1, 0.01, 0.001][i % 3]!;
    const layers = i % 4;
    const config: Record<string, unknown> = { lr, model: { layers, act: i % 2 ? "relu" : "gelu" }, "模型": { "深度": i % 5 } };
    if (i % 10 === 0) config["seed"] = 18446744073709551615n;
    const acc = i % 11 === 0 ? 0.5 : Math.round(rand() * 1000) / 1000;
    const results: Record<string, unknown> = { val: { acc }, loss: i % 13 === 0 ? "NaN" : Math.round(rand() * 1000) / 1000 };
    if (i % 9 === 0) delete (results["val"] as Record<string, unknown>)["acc"];
    if (i % 17 === 0) results["précision"] = rand();
    const day = 1 + (i % 6);
    const doc: Doc = {
      experiment: {
        name: `exp-${i}`,
        created_at: new Date(Date.UTC(2026, 0, day, 10, 0, i)).toISOString(),
        tags: i % 7 === 0 ? ["baseline"] : i % 5 === 0 ? ["sweep", "gpu"] : [],
        status: i % 19 === 0 ? "failed" : "completed",
      },
      config,
      results,
    };
    if (i % 4 === 0) doc.series = { loss: { step: [0, 10, 20], value: [1, i % 8 === 0 ? "NaN" : 0.5, 0.25] } };
    docs.push(doc);
  }
  return docs;
}

/** Three runs whose keys need quoting in SQL: a metric "f1 (macro)", a param "batch size". */
export function quotedKeyDocs(): Doc[] {
  return [0.4, 0.9, 0.6].map((f1, i) => ({
    experiment: { name: `q-${i}`, created_at: `2026-02-0${i + 1}T10:00:00.000Z` },
    config: { "batch size": 16 * (i + 1) },
    results: { "f1 (macro)": f1 },
  }));
}

function docLine(d: Doc): string {
  return JSON.stringify(d, (_k, v: unknown) => (typeof v === "bigint" ? `__BIG__${v.toString()}` : v)).replace(/"__BIG__(\d+)"/g, "$1");
}

/** Import documents through the real CLI. */
export async function importDocs(dir: string, docs: Doc[]): Promise<void> {
  const file = join(tempDir("git-exp-docs-"), "docs.ndjson");
  writeFileSync(file, docs.map(docLine).join("\n") + "\n");
  const r = await cli(dir, ["import", file]);
  if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
}

/** A metric's value in a raw document, NaN decoded; undefined when absent. */
export function metricOf(d: Doc, path: string): number | undefined {
  let v: unknown = d.results;
  for (const p of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  if (v === "NaN") return NaN;
  return typeof v === "number" ? v : undefined;
}

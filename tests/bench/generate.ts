import { documentLine, experimentToDocument } from "../../src/core/document.js";
import type { Experiment } from "../../src/core/experiment.js";
import { createWriteStream } from "node:fs";
import { once } from "node:events";

/**
 * Realistic experiments for benchmarks: ~30 params in nested groups, 15 metrics, names
 * and tags as people write them, deterministic for a given index.
 */
export function generateExperiment(i: number): Experiment {
  const rnd = mulberry32(i + 1);
  const config = { ...trainingConfig(i, rnd, i % 5), grad_clip: 1.0, eval_every: 1000 };
  const { acc, results } = trainingResults(rnd, true);
  const day = 1 + (i % 28);
  return {
    meta: {
      schema: 1,
      created_at: new Date(Date.UTC(2026, 9, day, 8, 0, 0) + i * 1000).toISOString(),
      created_by: { name: `Researcher ${i % 7}`, email: `r${i % 7}@lab.example.com` },
      status: i % 50 === 0 ? "failed" : "completed",
      name: `${config.model.arch}-${config.optimizer.name}-${i}`,
      tags: i % 10 === 0 ? ["sweep", "baseline"] : ["sweep"],
      source: { commit: null, branch: "main", dirty: false },
    },
    config,
    results,
    series: {},
    files: {},
  };
}

const ARCHS = ["resnet18", "resnet50", "vit-b16", "efficientnet-b0", "bert-base"];
const OPTIMIZERS = ["sgd", "adam", "adamw", "lamb"];

/** 26 params in nested groups, chosen by `c` and drawn from `rnd`, as training configs look. */
function trainingConfig(c: number, rnd: () => number, seed: number) {
  return {
    model: { arch: ARCHS[c % ARCHS.length]!, depth: 8 + (c % 5) * 4, width: 64 * (1 + (c % 4)), dropout: round(rnd() * 0.5), activation: c % 2 ? "gelu" : "relu" },
    optimizer: { name: OPTIMIZERS[c % OPTIMIZERS.length]!, lr: round(10 ** -(1 + rnd() * 4)), momentum: 0.9, weight_decay: round(rnd() * 1e-3), betas: [0.9, 0.999] },
    schedule: { kind: c % 3 ? "cosine" : "step", warmup_steps: 100 * (c % 10), epochs: 10 + (c % 20) },
    data: { dataset: "imagenet-1k", version: "2012", batch_size: 32 * (1 + (c % 8)), augment: { flip: true, crop: 224, mixup: round(rnd() * 0.4) }, workers: 8 },
    loss: { name: "cross_entropy", label_smoothing: round(rnd() * 0.2) },
    precision: c % 2 ? "bf16" : "fp32",
    seed,
    ema: { enabled: c % 4 === 0, decay: 0.9999 },
  };
}

/** Final metrics drawn from `rnd`: 15 of them when `wide`, else 13. */
function trainingResults(rnd: () => number, wide: boolean) {
  const acc = round(0.6 + rnd() * 0.35);
  const results = {
    train: { loss: round(rnd() * 2), acc: round(acc + 0.03), ...(wide ? { throughput: round(500 + rnd() * 2000) } : {}) },
    val: { loss: round(rnd() * 2), acc, top5: round(Math.min(0.999, acc + 0.15)), f1: round(acc - 0.02), ...(wide ? { auc: round(0.8 + rnd() * 0.19) } : {}) },
    test: { acc: round(acc - 0.01), loss: round(rnd() * 2) },
    latency_ms: round(5 + rnd() * 30),
    params_m: round(10 + rnd() * 100),
    flops_g: round(1 + rnd() * 20),
    memory_gb: round(2 + rnd() * 30),
    epoch_time_s: round(30 + rnd() * 600),
  };
  return { acc, results };
}

export function generateNdjson(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(documentLine(experimentToDocument(generateExperiment(i))));
  return lines.join("");
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated experiment a line: 6 params, 3 final metrics, a 20-point loss series. */
export async function writeBenchDocs(file: string, n: number, head: string, options: { offset?: number; seed?: number; prefix?: string } = {}): Promise<void> {
  const { offset = 0, seed = 12345, prefix = "bench" } = options;
  const out = createWriteStream(file);
  let s = seed + offset;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let i = offset; i < offset + n; i++) {
    const loss = Array.from({ length: 20 }, (_, k) => Math.round((1 / (k + 1) + rand() / 10) * 1e4) / 1e4);
    const doc = {
      // Complete documents: nothing for import to fill in by asking git per document.
      experiment: {
        schema: 1,
        status: "completed",
        name: `${prefix}-${i}`,
        created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        created_by: { name: "Bench", email: "bench@example.com" },
        source: { commit: head, branch: "main", dirty: false },
        tags: i % 50 === 0 ? ["baseline"] : [],
      },
      config: { lr: [0.1, 0.01, 0.001, 0.0001][i % 4], batch: 32 << i % 3, model: { layers: i % 12, width: 64 * (1 + (i % 4)) }, seed: i % 97, optimizer: i % 2 ? "adam" : "sgd" },
      results: { val: { acc: Math.round(rand() * 1e4) / 1e4, loss: rand() }, test_acc: rand() },
      series: { loss: { step: loss.map((_, k) => k), value: loss } },
    };
    if (!out.write(JSON.stringify(doc) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/**
 * Experiments shaped like real training runs, one import document a line: 26 params in
 * nested groups, 13 final metrics, three 100-point series (train loss, val loss, val acc),
 * each config recorded 5 times with seeds 0-4 (repeats), deterministic for a given index.
 */
export async function writeRealisticDocs(file: string, n: number, head: string, options: { offset?: number } = {}): Promise<void> {
  const { offset = 0 } = options;
  const out = createWriteStream(file);
  for (let i = offset; i < offset + n; i++) {
    const c = Math.floor(i / 5); // the config: five repeats of each
    const seed = i % 5;
    const crnd = mulberry32(c + 1);
    const rnd = mulberry32(i * 7919 + 17);
    const config = trainingConfig(c, crnd, seed);
    const { acc, results } = trainingResults(rnd, false);
    const steps = Array.from({ length: 100 }, (_, k) => (k + 1) * 50);
    const curve = (from: number, to: number): number[] => steps.map((_, k) => round(to + (from - to) * Math.exp(-k / 20) + (rnd() - 0.5) * 0.02));
    const doc = {
      experiment: {
        schema: 1,
        status: i % 50 === 0 ? "failed" : "completed",
        name: `${config.model.arch}-${config.optimizer.name}-${i}`,
        created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        created_by: { name: `Researcher ${i % 7}`, email: `r${i % 7}@lab.example.com` },
        source: { commit: head, branch: "main", dirty: false },
        tags: i % 10 === 0 ? ["sweep", "baseline"] : ["sweep"],
      },
      config,
      results,
      series: {
        loss: { step: steps, value: curve(2.5, 0.3) },
        "val.loss": { step: steps, value: curve(2.6, 0.4) },
        "val.acc": { step: steps, value: curve(0.1, acc) },
      },
    };
    if (!out.write(JSON.stringify(doc) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

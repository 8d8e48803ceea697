import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentLine, experimentToDocument } from "../../src/core/document.js";
import { generateExperiment, generateNdjson } from "./generate.js";
import { BIN, ROOT, benchDir, medianProcessMs, removeDir, sh, type BenchRow } from "./harness.js";

const N = 10_000;
const REPEATS = 20;

/** Two groups of repeats (same config within a group) among N generated experiments. */
function withRepeats(): string {
  const lines = [generateNdjson(N)];
  for (const [g, name] of [[0, "repeat-a"], [1, "repeat-b"]] as const) {
    for (let k = 0; k < REPEATS; k++) {
      const exp = generateExperiment(g);
      exp.meta.name = name;
      exp.meta.created_at = new Date(Date.UTC(2026, 10, 1, g, 0, k)).toISOString();
      exp.results = { ...exp.results, latency_ms: 10 + g + ((k * 7) % 11) / 10 };
      lines.push(documentLine(experimentToDocument(exp)));
    }
  }
  return lines.join("");
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = benchDir("repro");
  try {
    sh(dir, "git", ["init", "-q"]);
    writeFileSync(join(dir, "exps.ndjson"), withRepeats());
    sh(dir, BIN, ["import", "exps.ndjson"]);
    const ids = sh(dir, "git", ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).trim().split("\n");
    const show = medianProcessMs(dir, BIN, ["show", ids[0]!]);
    rows.push({
      area: "repro",
      name: `diff two experiments among ${N.toLocaleString("en")} (cold process)`,
      value: medianProcessMs(dir, BIN, ["diff", ids[0]!, ids[1]!]),
      unit: "ms",
      baselineName: "git exp show of one",
      baselineValue: show,
      goal: "< 2x show",
    });
    rows.push({
      area: "repro",
      name: "compare 20 experiments (cold process)",
      value: medianProcessMs(dir, BIN, ["compare", ...ids.slice(0, 20)]),
      unit: "ms",
      baselineName: "git exp show of one",
      baselineValue: show,
      goal: "< 2x show",
    });
    rows.push({
      area: "repro",
      name: `stats of two groups of ${REPEATS} repeats among ${N.toLocaleString("en")}`,
      value: medianProcessMs(dir, BIN, ["stats", "repeat-a", "repeat-b"], 3),
      unit: "ms",
      baselineName: "git exp ls (reads every experiment too)",
      baselineValue: medianProcessMs(dir, BIN, ["ls"], 3),
      goal: "<= 1.5x ls",
    });
  } finally {
    removeDir(dir);
  }
  rows.push(await reproOverhead());
  return rows;
}

/** What repro adds around a command: worktree, input checks, record, diff. */
async function reproOverhead(): Promise<BenchRow> {
  const dir = benchDir("repro-run");
  try {
    sh(dir, "git", ["init", "-q"]);
    copyFileSync(join(ROOT, "fixtures", "repro", "deterministic.mjs"), join(dir, "train.mjs"));
    sh(dir, "git", ["add", "train.mjs"]);
    sh(dir, "git", ["commit", "-qm", "train"]);
    const commit = sh(dir, "git", ["rev-parse", "HEAD"]).trim();
    const doc = { experiment: { name: "orig", command: ["node", "train.mjs"], source: { commit, branch: "main", dirty: false } }, config: { lr: 0.1, seed: 1 }, results: {} };
    const id = sh(dir, BIN, ["record", "-"], JSON.stringify(doc)).trim();
    writeFileSync(join(dir, "c.json"), JSON.stringify(doc.config));
    const direct = medianProcessMs(dir, "sh", ["-c", `GIT_EXP_CONFIG=c.json GIT_EXP_METRICS=/dev/null node train.mjs`], 5);
    // Each repro records a new run (a new created_at), so the median includes the write.
    const repro = medianProcessMs(dir, "sh", ["-c", `${BIN} repro ${id} >/dev/null 2>&1; test $? -le 1`], 5);
    return {
      area: "repro",
      name: "repro of a small node script (worktree, run, record, verdict)",
      value: repro,
      unit: "ms",
      baselineName: "the script run directly",
      baselineValue: direct,
      goal: "overhead < 1 s",
    };
  } finally {
    removeDir(dir);
  }
}

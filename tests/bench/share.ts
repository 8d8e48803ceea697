import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ExperimentStore } from "../../src/store/experiment-store.js";
import { openRepository } from "../../src/store/repository.js";
import type { Experiment } from "../../src/core/experiment.js";
import { BENCH_ENV, BIN, benchDir, median, removeDir, sh, type BenchRow } from "./harness.js";

const N = Number(process.env["BENCH_SHARE_N"] ?? 10_000);
const PULL_RUNS = Number(process.env["BENCH_SHARE_RUNS"] ?? 3);

function experiment(i: number): Experiment {
  return {
    meta: {
      schema: 1,
      created_at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      created_by: { name: "Bench", email: "bench@example.com" },
      status: "completed",
      name: `run-${i}`,
      tags: i % 10 === 0 ? ["sweep"] : [],
      source: { commit: null, branch: "main", dirty: false },
    },
    config: { lr: 1 / (i + 1), batch: 32 + (i % 4) * 32, optimizer: { name: i % 2 ? "adam" : "sgd", beta: 0.9 } },
    results: { acc: (i % 1000) / 1000, loss: 1 - (i % 1000) / 1000, val: { acc: (i % 997) / 997 } },
    series: { loss: { step: [0, 1, 2, 3], value: [1, 0.5, 0.25, (i % 100) / 100] } },
    files: {},
  };
}

function timed(cwd: string, cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env: BENCH_ENV, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Push and pull of N experiments to a local bare remote, each against plain git on the same refspec. */
export async function bench(): Promise<BenchRow[]> {
  const root = benchDir("share");
  try {
    const src = join(root, "src");
    sh(root, "git", ["init", "-q", src]);
    const repo = await openRepository(src);
    const store = new ExperimentStore(repo);
    for (let i = 0; i < N; i += 2000) {
      await store.write(Array.from({ length: Math.min(2000, N - i) }, (_, k) => experiment(i + k)));
    }
    await store.close();

    const bare = (name: string): string => {
      const d = join(root, name);
      sh(root, "git", ["init", "-q", "--bare", d]);
      return d;
    };
    const spec = "refs/experiments/*:refs/experiments/*";
    // warm the page cache so neither measured push pays for the first read of the pack
    timed(src, "git", ["push", "-q", bare("warm.git"), spec]);
    const plainRemote = bare("plain.git");
    const expRemote = bare("exp.git");
    const plainPush = timed(src, "git", ["push", "-q", plainRemote, spec]);
    const expPush = timed(src, BIN, ["push", expRemote]);

    const fresh = (name: string): string => {
      const d = join(root, name);
      sh(root, "git", ["init", "-q", d]);
      return d;
    };
    // Writing 10,000 loose refs dominates both, and its cost swings with whatever else the
    // disk is doing: alternate the two (taking turns at going first), fresh clones each
    // time, nothing deleted in between, and take each one's median.
    const fetches: number[] = [];
    const pulls: number[] = [];
    for (let i = 0; i < PULL_RUNS; i++) {
      const fetch = (): number => timed(fresh(`plain-clone-${i}`), "git", ["fetch", "-q", "--no-tags", expRemote, `+${spec}`]);
      const pull = (): number => timed(fresh(`exp-clone-${i}`), BIN, ["pull", expRemote]);
      if (i % 2 === 0) fetches.push(fetch()), pulls.push(pull());
      else pulls.push(pull()), fetches.push(fetch());
    }
    process.stderr.write(`  runs: git fetch ${fetches.map(Math.round).join(", ")} ms; pull ${pulls.map(Math.round).join(", ")} ms\n`);
    const plainFetch = median(fetches);
    const expPull = median(pulls);
    const n = N.toLocaleString("en-US");
    return [
      { area: "share", name: `push ${n} experiments`, value: expPush, unit: "ms", baselineName: "git push, same refspec", baselineValue: plainPush, goal: "<= 1.5x" },
      { area: "share", name: `pull ${n} experiments (checked, median of ${PULL_RUNS})`, value: expPull, unit: "ms", baselineName: "git fetch, same refspec", baselineValue: plainFetch, goal: "<= 1.5x" },
    ];
  } finally {
    removeDir(root);
  }
}

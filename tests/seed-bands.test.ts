import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/api/workspace.js";
import { startUi } from "../src/cli/ui/start.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cli, cleanup, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

let dir: string;

/**
 * Two configs, three and two seeds each, and a third whose two runs differ only by a nested
 * repeat key of gitexp.json (data.order); loss curves that differ by seed.
 */
beforeAll(async () => {
  dir = makeRepo({ commit: true });
  writeFileSync(join(dir, "gitexp.json"), JSON.stringify({ repeat_keys: ["seed", "data.order"] }));
  const files = tempDir();
  const runs: [string, Record<string, unknown>, number][] = [
    ["wide-0", { lr: 0.1, seed: 0 }, 0], ["wide-1", { lr: 0.1, seed: 1 }, 1], ["wide-2", { lr: 0.1, seed: 2 }, 2],
    ["narrow-0", { lr: 0.01, seed: 0 }, 0], ["narrow-1", { lr: 0.01, seed: 1 }, 1],
    ["deep-0", { lr: 0.5, data: { order: 0, set: "a" } }, 0], ["deep-1", { lr: 0.5, data: { order: 1, set: "a" } }, 1],
  ];
  for (const [name, config, seed] of runs) {
    const series = join(files, `${name}.jsonl`);
    writeFileSync(series, [0, 1, 2].map((step) => JSON.stringify({ step, loss: (1 + seed) / (step + 1) + Number(config["lr"]) })).join("\n") + "\n");
    const r = await cli(dir, ["record", "--config", writeJson(files, "c.json", config), "--results", writeJson(files, "r.json", { loss: 0.1 }), "--series", series, "--name", name]);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(cleanup);

describe("plot --group config: seed bands", () => {
  it("draws one mean curve per group of repeats with a ± std band, grouped as stats groups them", async () => {
    const r = await cli(dir, ["plot", "loss", "--group", "config"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/<polygon class="band"/g)).toHaveLength(3);
    expect(r.stdout.match(/<path class="series"/g)).toHaveLength(3);
    expect(r.stdout).toContain('data-label="wide (3 runs, mean ± std)"');
    expect(r.stdout).toContain('data-label="narrow (2 runs, mean ± std)"');
    // data.order is a repeat key (gitexp.json), data.set is not: the two deep runs are repeats
    expect(r.stdout).toContain('data-label="deep (2 runs, mean ± std)"');
    // the same groups as top --by config, which uses the index's group key
    const top = await cli(dir, ["top", "loss", "--by", "config", "--json"]);
    expect(top.code, top.stderr).toBe(0);
    const counts = (JSON.parse(top.stdout) as { groups: { count: number }[] }).groups.map((g) => g.count).sort();
    expect(counts).toEqual([2, 2, 3]);
  });

  it("takes min-max bands; --band alone is refused", async () => {
    const r = await cli(dir, ["plot", "loss", "--group", "config", "--band", "minmax", "-o", join(tempDir(), "bands.svg")]);
    expect(r.code, r.stderr).toBe(0);
    const bad = await cli(dir, ["plot", "loss", "--band", "minmax"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--band goes with --group config/);
  });
});

describe("plot --group config: groups that share a name", () => {
  it("labels each group with the config values that tell it apart, and -o counts runs", async () => {
    // one sweep's points, as run --name rep -p lr=0.1,0.3 --seed 1,2,3 names them: rep-1 ... rep-6
    const repo = makeRepo({ commit: true });
    const files = tempDir();
    let n = 0;
    for (const lr of [0.1, 0.3]) {
      for (const seed of [1, 2, 3]) {
        const series = join(files, `s${++n}.jsonl`);
        writeFileSync(series, [0, 1].map((step) => JSON.stringify({ step, loss: lr + seed / 100 + step })).join("\n") + "\n");
        const config = writeJson(files, "c.json", { lr, seed, epochs: 5 });
        const r = await cli(repo, ["record", "--config", config, "--results", writeJson(files, "r.json", { loss: lr }), "--series", series, "--name", `rep-${n}`]);
        expect(r.code, r.stderr).toBe(0);
      }
    }
    const r = await cli(repo, ["plot", "loss", "--group", "config"]);
    expect(r.code, r.stderr).toBe(0);
    const labels = [...new Set([...r.stdout.matchAll(/data-label="([^"]*)"/g)].map((m) => m[1]))].sort();
    // epochs is the same in both groups and seed is the repeat key: only lr tells them apart
    expect(labels).toEqual(["rep lr=0.1 (3 runs, mean ± std)", "rep lr=0.3 (3 runs, mean ± std)"]);
    const out = join(tempDir(), "p.html");
    const written = await cli(repo, ["plot", "loss", "--group", "config", "-o", out]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toContain(`wrote ${out} (2 groups of 6 runs)`);
    const plain = await cli(repo, ["plot", "loss", "-o", out]);
    expect(plain.stderr).toContain(`wrote ${out} (6 runs)`);
  });
});

describe("the dashboard's seed bands", () => {
  it("answers /api/bands with a mean curve and band per group of the selected runs", async () => {
    const ws = new Workspace({ cwd: dir });
    const store = await ws.store();
    const ui = await startUi(ws, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
    try {
      const res = (await (await fetch(`${ui.url}api/bands?ids=wide-0,wide-1,wide-2,narrow-0,deep-0,deep-1&metric=loss`)).json()) as { series: { label: string; points: [number, number][]; band: [number, number, number][] }[] };
      expect(res.series.map((g) => g.label).sort()).toEqual(["deep (2 runs, mean ± std)", "narrow-0 (1 run, mean ± std)", "wide (3 runs, mean ± std)"]);
      // wide at step 0: losses 1.1, 2.1, 3.1: mean 2.1, sample std 1
      const wide = res.series.find((g) => g.label.startsWith("wide"))!;
      expect(wide.points[0]![1]).toBeCloseTo(2.1, 9);
      expect(wide.band[0]![1]).toBeCloseTo(1.1, 9);
      expect(wide.band[0]![2]).toBeCloseTo(3.1, 9);
      expect((await fetch(`${ui.url}api/bands?ids=wide-0`)).status).toBe(400);
    } finally {
      await ui.close();
      await store.close();
    }
  });
});

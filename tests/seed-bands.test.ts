import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/api/workspace.js";
import { startUi } from "../src/cli/ui/start.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cli, cleanup, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

let dir: string;

/** Two configs, three and two seeds each; loss curves that differ by seed. */
beforeAll(async () => {
  dir = makeRepo({ commit: true });
  const files = tempDir();
  const runs: [string, number, number][] = [["wide-0", 0.1, 0], ["wide-1", 0.1, 1], ["wide-2", 0.1, 2], ["narrow-0", 0.01, 0], ["narrow-1", 0.01, 1]];
  for (const [name, lr, seed] of runs) {
    const series = join(files, `${name}.jsonl`);
    writeFileSync(series, [0, 1, 2].map((step) => JSON.stringify({ step, loss: (1 + seed) / (step + 1) + lr })).join("\n") + "\n");
    const r = await cli(dir, ["record", "--config", writeJson(files, "c.json", { lr, seed }), "--results", writeJson(files, "r.json", { loss: 0.1 }), "--series", series, "--name", name]);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(cleanup);

describe("plot --group config: seed bands", () => {
  it("draws one mean curve per group of repeats with a ± std band", async () => {
    const r = await cli(dir, ["plot", "loss", "--group", "config"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/<polygon class="band"/g)).toHaveLength(2);
    expect(r.stdout.match(/<path class="series"/g)).toHaveLength(2);
    expect(r.stdout).toContain('data-label="wide (3 runs, mean ± std)"');
    expect(r.stdout).toContain('data-label="narrow (2 runs, mean ± std)"');
  });

  it("takes min-max bands; --band alone is refused", async () => {
    const r = await cli(dir, ["plot", "loss", "--group", "config", "--band", "minmax", "-o", join(tempDir(), "bands.svg")]);
    expect(r.code, r.stderr).toBe(0);
    const bad = await cli(dir, ["plot", "loss", "--band", "minmax"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--band goes with --group config/);
  });
});

describe("the dashboard's seed bands", () => {
  it("answers /api/bands with a mean curve and band per group of the selected runs", async () => {
    const ws = new Workspace({ cwd: dir });
    const store = await ws.store();
    const ui = await startUi(ws, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
    try {
      const res = (await (await fetch(`${ui.url}api/bands?ids=wide-0,wide-1,wide-2,narrow-0&metric=loss`)).json()) as { series: { label: string; points: [number, number][]; band: [number, number, number][] }[] };
      expect(res.series.map((g) => g.label).sort()).toEqual(["narrow-0 (1 run, mean ± std)", "wide (3 runs, mean ± std)"]);
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

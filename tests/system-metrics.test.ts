import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseGpuLine } from "../src/capture/system-metrics.js";
import { cli, cleanup, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

/**
 * A stand-in nvidia-smi printing what the real one prints for the queries git-exp makes
 * (--format=csv,noheader,nounits): two GPUs, the second without power readings.
 */
function fakeNvidiaSmi(): string {
  const bin = tempDir("git-exp-fake-smi-");
  const script = `#!/bin/sh
case "$*" in
  *power.draw*) printf '0, 87, 10240, 312.5\\n1, 3, 512, [N/A]\\n' ;;
  *) printf '0, NVIDIA H100 80GB HBM3, 87, 10240, 81559\\n1, NVIDIA H100 80GB HBM3, 3, 512, 81559\\n' ;;
esac
`;
  writeFileSync(join(bin, "nvidia-smi"), script);
  chmodSync(join(bin, "nvidia-smi"), 0o755);
  return bin;
}

const BUSY = "import time\nt = time.time()\nx = bytearray(30 << 20)\nwhile time.time() - t < 1.8: pass\nprint('done')\n";

interface Shown {
  experiment: { created_at: string; source: { config?: string } };
  series?: Record<string, { step: number[]; value: (number | null)[]; time?: number[] }>;
}

async function show(dir: string, out: string): Promise<Shown> {
  const id = out.trim().split("\n").pop()!;
  const r = await cli(dir, ["show", id, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Shown;
}

describe("system metrics over a run's time", () => {
  it("samples the process tree's CPU and memory and each GPU nvidia-smi reports, from 1 s on, with their time", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "busy.py"), BUSY);
    const env = { PATH: `${fakeNvidiaSmi()}:${process.env["PATH"]}` };
    const r = await cli(dir, ["run", "--system-interval", "0.3", "--", "python3", "busy.py"], { env });
    expect(r.code, r.stderr).toBe(0);
    const e = await show(dir, r.stdout);
    const s = e.series!;
    expect(Object.keys(s).filter((k) => k.startsWith("system/")).sort()).toEqual([
      "system/cpu_pct",
      "system/gpu0/memory_mb",
      "system/gpu0/power_w",
      "system/gpu0/util_pct",
      "system/gpu1/memory_mb",
      "system/gpu1/power_w",
      "system/gpu1/util_pct",
      "system/rss_mb",
    ]);
    const cpu = s["system/cpu_pct"]!;
    expect(cpu.step.length).toBeGreaterThanOrEqual(1);
    expect(cpu.value.every((v) => typeof v === "number" && v >= 0)).toBe(true);
    expect(Math.max(...(cpu.value as number[]))).toBeGreaterThan(0);
    // the 30 MB the script holds, and python itself
    expect(Math.max(...(s["system/rss_mb"]!.value as number[]))).toBeGreaterThan(30);
    expect(s["system/gpu0/util_pct"]!.value.every((v) => v === 87)).toBe(true);
    expect(s["system/gpu0/power_w"]!.value.every((v) => v === 312.5)).toBe(true);
    expect(s["system/gpu1/power_w"]!.value.every((v) => v === null)).toBe(true);
    // the first sample about a second after the start; each one timed
    const started = Date.parse(e.experiment.created_at) / 1000;
    const first = cpu.time![0]! - started;
    expect(first).toBeGreaterThan(0.8);
    expect(first).toBeLessThan(5);
    expect(cpu.time).toHaveLength(cpu.step.length);
  });

  it("--no-system-metrics samples nothing; a bad --system-interval is refused before anything runs", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "busy.py"), BUSY.replace("1.8", "1.3"));
    const r = await cli(dir, ["run", "--no-system-metrics", "--", "python3", "busy.py"]);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys((await show(dir, r.stdout)).series ?? {}).filter((k) => k.startsWith("system/"))).toEqual([]);
    const before = repoSnapshot(dir);
    for (const bad of ["0", "-1", "soon"]) {
      const b = await cli(dir, ["run", "--system-interval", bad, "--", "python3", "busy.py"]);
      expect(b.code, bad).toBe(2);
      expect(b.stderr).toMatch(/--system-interval takes/);
    }
    expect(repoSnapshot(dir)).toBe(before);
  });

  it("ls leaves system metrics out of its metrics column; they stay in --json and --columns", async () => {
    const dir = makeRepo({ commit: true });
    const logs = "import json, os\nwith open(os.environ['GIT_EXP_METRICS'], 'a') as f: f.write(json.dumps({'loss': 0.25}) + '\\n')\n";
    writeFileSync(join(dir, "busy.py"), BUSY.replace("1.8", "1.3") + logs);
    const r = await cli(dir, ["run", "--system-interval", "0.3", "--", "python3", "busy.py"]);
    expect(r.code, r.stderr).toBe(0);
    const json = await cli(dir, ["ls", "--json"]);
    const [listed] = JSON.parse(json.stdout) as { metrics: Record<string, number> }[];
    expect(Object.keys(listed!.metrics)).toContain("system/cpu_pct");
    const table = await cli(dir, ["ls"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("loss=0.25");
    expect(table.stdout).not.toContain("system/");
    const columns = await cli(dir, ["ls", "--columns", "id,metrics.system/cpu_pct", "--format", "csv"]);
    expect(columns.stdout.split("\n")[1]).toMatch(/^[0-9a-f]{40},\d/);
    const where = await cli(dir, ["ls", "--where", "metrics.system/cpu_pct >= 0", "--json"]);
    expect(JSON.parse(where.stdout)).toHaveLength(1);
  });

  it("reads nvidia-smi's CSV lines, a field it cannot report as null", () => {
    expect(parseGpuLine("0, 87, 10240, 312.45")).toEqual({ index: 0, values: [87, 10240, 312.45] });
    expect(parseGpuLine("1, [N/A], 512, [Not Supported]")).toEqual({ index: 1, values: [null, 512, null] });
    expect(parseGpuLine("No devices were found")).toBeUndefined();
  });
});

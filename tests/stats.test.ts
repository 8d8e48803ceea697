import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../src/analysis/catalog.js";
import { resolveGroup } from "../src/analysis/groups.js";
import { compareGroups, summarize, testDifference } from "../src/analysis/stats.js";
import { tCritical } from "../src/analysis/welch.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, cli, makeRepo, repoSnapshot } from "./helpers/repo.js";

afterAll(cleanup);

// Student's sleep data (R's `sleep` data set): extra hours of sleep under two drugs.
const DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe("statistics against reference figures", () => {
  it("t quantiles match a t table", () => {
    // Two-sided 5%: t(0.975, df) from any t table (R: qt(0.975, df)).
    expect(tCritical(0.05, 1)).toBeCloseTo(12.7062, 3);
    expect(tCritical(0.05, 9)).toBeCloseTo(2.262157, 5);
    expect(tCritical(0.05, 30)).toBeCloseTo(2.042272, 5);
    expect(tCritical(0.01, 5)).toBeCloseTo(4.032143, 5);
  });

  it("n, mean, std and 95% CI match R's t.test(sleep$extra[1:10])", () => {
    const s = summarize(DRUG1);
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(0.75, 12);
    expect(s.std).toBeCloseTo(1.789010, 6);
    expect(s.ci95![0]).toBeCloseTo(-0.5297804, 6);
    expect(s.ci95![1]).toBeCloseTo(2.0297804, 6);
  });

  it("Welch's test matches R's t.test(extra ~ group, data = sleep) and scipy's ttest_ind(equal_var=False)", () => {
    // R: t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832 (for A - B).
    const w = testDifference(DRUG1, DRUG2)!;
    expect(w.t).toBeCloseTo(1.8608134674868526, 10);
    expect(w.df).toBeCloseTo(17.776473516178488, 9);
    expect(w.p).toBeCloseTo(0.0793941401873583, 10);
    expect(w.diff).toBeCloseTo(1.58, 12);
    expect(w.ci95[0]).toBeCloseTo(-0.2054832307117104, 8);
    expect(w.ci95[1]).toBeCloseTo(3.3654832307117104, 8);
  });

  it("one value or no variance gives no test, never a NaN", () => {
    expect(summarize([1])).toEqual({ n: 1, mean: 1, std: null, ci95: null });
    expect(testDifference([1], [1, 2])).toBeNull();
    expect(testDifference([1, 1], [2, 2])).toBeNull();
  });
});

let dir: string;

async function recordRun(name: string, config: Record<string, unknown>, results: Record<string, unknown>, i: number): Promise<string> {
  const created = new Date(Date.UTC(2026, 10, 1, 10, 0, i)).toISOString();
  const doc = { experiment: { name, created_at: created }, config, results };
  const r = await cli(dir, ["record", "-"], { input: JSON.stringify(doc) });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

interface JsonStats {
  a: { ids: string[] };
  b: { ids: string[] };
  metrics: { metric: string; verdict: string; reason: string; test: { p: number; t: number } | null; a: { n: number; std: number | null }; b: { n: number } }[];
}

async function statsJson(a: string, b: string, extra: string[] = []): Promise<JsonStats> {
  const r = await cli(dir, ["stats", a, b, "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

let firstA: string;
let lonely: string;

beforeAll(async () => {
  dir = makeRepo({ commit: true });
  for (const [i, v] of DRUG1.entries()) {
    const id = await recordRun("drug-1", { drug: 1 }, { extra: v, val: { loss: 1 - v / 10 } }, i);
    firstA ??= id;
  }
  for (const [i, v] of DRUG2.entries()) await recordRun("drug-2", { drug: 2 }, { extra: v, val: { loss: 1 - v / 10 } }, 20 + i);
  lonely = await recordRun("single", { drug: 3 }, { extra: 1 }, 40);
  await recordRun("flat", { drug: 4 }, { extra: 2, other: 1 }, 41);
  await recordRun("flat", { drug: 4 }, { extra: 2, other: 1 }, 42);
});

describe("git exp stats", () => {
  it("an experiment stands for every run of its config: the figures are R's", async () => {
    const j = await statsJson(firstA.slice(0, 8), "drug-2");
    expect(j.a.ids).toHaveLength(10);
    expect(j.b.ids).toHaveLength(10);
    const extra = j.metrics.find((m) => m.metric === "extra")!;
    expect(extra.test!.p).toBeCloseTo(0.07939, 5);
    expect(extra.verdict).toBe("no-difference");
  });

  it("says in words whether B beats A at the chosen level, with the metric's direction", async () => {
    const j = await statsJson("drug-1", "drug-2", ["--alpha", "0.1"]);
    expect(j.metrics.find((m) => m.metric === "extra")).toMatchObject({ verdict: "b-better", reason: "B beats A at alpha 0.1 (higher is better)" });
    // val.loss is 1 - extra/10: lower is better, so B wins there too
    expect(j.metrics.find((m) => m.metric === "val.loss")).toMatchObject({ verdict: "b-better" });
    const reversed = await statsJson("drug-2", "drug-1", ["--alpha", "0.1"]);
    expect(reversed.metrics.find((m) => m.metric === "extra")).toMatchObject({ verdict: "a-better" });
  });

  // Group B figures from scipy: np.std(DRUG2, ddof=1), stats.ttest_1samp(DRUG2, 0).confidence_interval().
  it("a config hash names its group; the table reads as a report", async () => {
    const show = JSON.parse((await cli(dir, ["show", firstA, "--json"])).stdout);
    const r = await cli(dir, ["stats", show.config_hash.slice(0, 10), "drug-2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^A: config [0-9a-f]{12} \(10 runs\)\nB: name drug-2 \(10 runs\)/);
    expect(r.stdout).toContain(
      [
        "extra (higher is better)",
        "  A  n 10  mean 0.75  std 1.78901  95% CI [-0.52978, 2.02978]",
        "  B  n 10  mean 2.33  std 2.00225  95% CI [0.897678, 3.76232]",
        "  B - A  1.58  95% CI [-0.205483, 3.36548]  t 1.86081  df 17.78  p 0.0794",
        "  => no significant difference at alpha 0.05",
      ].join("\n"),
    );
  });

  it("a group with one run: says so, and prints no NaN as a p-value", async () => {
    const r = await cli(dir, ["stats", "drug-1", lonely.slice(0, 10)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/NaN/);
    expect(r.stdout).toMatch(/extra \(higher is better\)\n.*\n  B  n 1  mean 1  std n\/a  95% CI n\/a\n  B - A  0.25  p n\/a\n  => B has one run: no variance to test against/);
    const j = await statsJson("drug-1", "single");
    expect(j.metrics.find((m) => m.metric === "extra")).toMatchObject({ verdict: "untestable", test: null, b: { n: 1 } });
  });

  it("no variance in either group, and metrics only one side has", async () => {
    const j = await statsJson("single", "flat");
    expect(j.metrics.find((m) => m.metric === "other")).toMatchObject({ verdict: "untestable", reason: "only B has a value for this metric" });
    const flat = await statsJson("flat", "flat");
    expect(flat.metrics.find((m) => m.metric === "extra")).toMatchObject({ verdict: "no-difference", test: null });
    const r = await cli(dir, ["stats", "flat", "flat"]);
    expect(r.stdout).toContain("A and B are the same runs: no differences");
  });

  it("--format md and csv carry the same figures", async () => {
    const md = (await cli(dir, ["stats", "drug-1", "drug-2", "--format", "md"])).stdout;
    expect(md).toMatch(/^\| metric \| n A \| mean A \|/);
    expect(md).toMatch(/\| extra \| 10 \| 0.75 \|.*\| 0.0794 \| no significant difference at alpha 0.05 \|/);
    const csv = (await cli(dir, ["stats", "drug-1", "drug-2", "--format", "csv"])).stdout;
    expect(csv.split("\n")[1]).toMatch(/^extra,10,0.75,/);
  });

  it("bad input: unknown group (3), ambiguous prefix (3), bad alpha (2); nothing written", async () => {
    const before = repoSnapshot(dir);
    expect((await cli(dir, ["stats", "drug-1", "nothing-like-this"])).code).toBe(3);
    for (const alpha of ["0", "1", "1.5", "x"]) {
      const r = await cli(dir, ["stats", "drug-1", "drug-2", "--alpha", alpha]);
      expect(r.code, alpha).toBe(2);
      expect(r.stdout).toBe("");
    }
    const store = new ExperimentStore(await openRepository(dir));
    const catalog = await loadCatalog(store);
    await store.close();
    expect(() => resolveGroup(catalog, "nope")).toThrow(expect.objectContaining({ code: "ENOTFOUND" }));
    // A one-hex-digit-longer prefix than needed is unique; 4 hex digits shared by two ids is ambiguous.
    const prefixes = new Map<string, number>();
    for (const e of catalog) prefixes.set(e.id.slice(0, 4), (prefixes.get(e.id.slice(0, 4)) ?? 0) + 1);
    const shared = [...prefixes].find(([, n]) => n > 1)?.[0];
    if (shared) expect(() => resolveGroup(catalog, shared)).toThrow(expect.objectContaining({ code: "EAMBIGUOUS" }));
    expect(() => compareGroups({ label: "empty", entries: [] }, resolveGroup(catalog, "drug-1"))).toThrow(expect.objectContaining({ code: "ENOTFOUND" }));
    expect(repoSnapshot(dir)).toBe(before);
  });
});

import { afterAll, describe, expect, it } from "vitest";
import { fixtureDocs, importDocs, metricOf, type Doc } from "./helpers/experiments.js";
import { cli, cleanup, makeRepo, tempDir, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

async function repo(): Promise<string> {
  const dir = makeRepo({ commit: true });
  const f = tempDir();
  const runs = [
    { opt: "sgd", seed: 1, acc: 0.8 },
    { opt: "sgd", seed: 2, acc: 0.81 },
    { opt: "sgd", seed: 3, acc: 0.79 },
    { opt: "adam", seed: 1, acc: 0.9 },
    { opt: "adam", seed: 2, acc: 0.91 },
    { opt: "adam", seed: 3, acc: 0.89 },
  ];
  for (const [i, r] of runs.entries()) {
    const res = await cli(dir, ["record", "--config", writeJson(f, "c.json", { opt: r.opt, seed: r.seed }), "--results", writeJson(f, "r.json", { acc: r.acc }), "--name", `${r.opt}-${i}`]);
    expect(res.code, res.stderr).toBe(0);
  }
  return dir;
}

describe("--where on other commands", () => {
  it("compare --where compares what the filter picks", async () => {
    const dir = await repo();
    const r = await cli(dir, ["compare", "--where", "params.opt = 'adam'", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { columns: { name: string | null }[] };
    expect(c.columns.map((e) => e.name).sort()).toEqual(["adam-3", "adam-4", "adam-5"]);
    expect((await cli(dir, ["compare"])).code).toBe(2);
    expect((await cli(dir, ["compare", "--where", "params.opt = 'none'"])).code).toBe(2);
    const bad = await cli(dir, ["compare", "--where", "params.opt =="]);
    expect(bad.code).toBe(2);
  });

  it("stats --where --vs tests one filter's runs against another's", async () => {
    const dir = await repo();
    const r = await cli(dir, ["stats", "--where", "params.opt = 'sgd'", "--vs", "params.opt = 'adam'", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { metrics: { metric: string; a: { n: number }; b: { n: number }; test?: { p: number } | null }[] };
    const acc = s.metrics.find((m) => m.metric === "acc")!;
    expect(acc.a.n).toBe(3);
    expect(acc.b.n).toBe(3);
    expect((await cli(dir, ["stats", "--where", "params.opt = 'sgd'"])).code).toBe(2);
  });

  it("export --where writes only the matching experiments", async () => {
    const dir = await repo();
    const nd = await cli(dir, ["export", "--where", "metrics.acc >= 0.9"]);
    expect(nd.code, nd.stderr).toBe(0);
    expect(nd.stdout.trim().split("\n")).toHaveLength(2);
    const csv = await cli(dir, ["export", "--format", "csv", "--where", "params.opt = 'sgd'"]);
    expect(csv.stdout.trim().split("\n")).toHaveLength(4);
    const all = await cli(dir, ["export"]);
    expect(all.stdout.trim().split("\n")).toHaveLength(6);
  });
});

describe("not, and dates, as SQL and people read them", () => {
  it("a run without the metric, or with NaN, matches neither a comparison nor its negation", async () => {
    const dir = makeRepo({ commit: true });
    const docs = fixtureDocs(60);
    await importDocs(dir, docs);
    const names = async (where: string): Promise<string[]> => {
      const r = await cli(dir, ["ls", "--where", where, "-n", "1000", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name).sort();
    };
    const oracle = (keep: (d: Doc) => boolean): string[] => docs.filter(keep).map((d) => d.experiment.name).sort();
    const acc = (d: Doc): number | undefined => metricOf(d, "val.acc");
    const loss = (d: Doc): number | undefined => metricOf(d, "loss");
    expect(await names("not metrics.loss < 0.5")).toEqual(oracle((d) => loss(d) !== undefined && loss(d)! >= 0.5));
    expect(await names("not metrics.loss = nan")).toEqual(oracle((d) => loss(d) !== undefined && !Number.isNaN(loss(d))));
    expect(await names("not (metrics.loss < 0.5 or metrics.val.acc > 0.5)")).toEqual(
      oracle((d) => loss(d) !== undefined && loss(d)! >= 0.5 && acc(d) !== undefined && acc(d)! <= 0.5),
    );
    expect(await names("not metrics.loss in (0.5)")).toEqual(oracle((d) => loss(d) !== undefined && !Number.isNaN(loss(d)) && loss(d) !== 0.5));
    // A plain date is the whole UTC day.
    const day = (d: Doc): string => d.experiment.created_at.slice(0, 10);
    expect(await names("created = '2026-01-03'")).toEqual(oracle((d) => day(d) === "2026-01-03"));
    expect(await names("created <= '2026-01-03'")).toEqual(oracle((d) => day(d) <= "2026-01-03"));
    expect(await names("created > '2026-01-03'")).toEqual(oracle((d) => day(d) > "2026-01-03"));
    expect(await names("created != '2026-01-03'")).toEqual(oracle((d) => day(d) !== "2026-01-03"));
  });
});

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExperimentIndex } from "../src/index/experiment-index.js";
import { openRepository } from "../src/store/repository.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { Workspace } from "../src/api/workspace.js";
import { startUi, type RunningUi } from "../src/cli/ui/start.js";
import { runsPage } from "../src/analysis/runs-page.js";
import { BIN, TEST_ENV, binary, cleanup, cli, makeRepo, repoSnapshot } from "./helpers/repo.js";
import { fixtureDocs, importDocs, metricOf, quotedKeyDocs, type Doc } from "./helpers/experiments.js";
import { svg, systemDoc } from "./helpers/media.js";

interface Served {
  dir: string;
  ui: RunningUi;
  store: ExperimentStore;
  get: <T = Record<string, unknown>>(path: string) => Promise<T>;
}

const opened: Served[] = [];

async function serve(dir: string, port = 0): Promise<Served> {
  const ws = new Workspace({ cwd: dir });
  const store = await ws.store();
  const ui = await startUi(ws, { host: "127.0.0.1", port, onError: (e) => console.error(e) });
  const get = async <T,>(path: string): Promise<T> => (await (await fetch(ui.url + path.replace(/^\//, ""))).json()) as T;
  const s = { dir, ui, store, get };
  opened.push(s);
  return s;
}

let docs: Doc[];
let fx: Served;

beforeAll(async () => {
  const dir = makeRepo({ commit: true });
  docs = fixtureDocs(120);
  await importDocs(dir, docs);
  fx = await serve(dir);
});

afterAll(async () => {
  for (const s of opened.splice(0)) {
    await s.ui.close();
    await s.store.close();
  }
  cleanup();
});

interface Page {
  total: number;
  columns: string[];
  rows: Record<string, unknown>[];
  error?: { message: string; column?: number; code: string };
}

describe("dashboard API over the index", () => {
  it("pages through the runs: one page per request, the total counted once", async () => {
    const first = await fx.get<Page>("/api/runs?limit=25");
    expect(first.total).toBe(120);
    expect(first.rows).toHaveLength(25);
    const last = await fx.get<Page>("/api/runs?limit=25&offset=100");
    expect(last.rows).toHaveLength(20);
    const seen = new Set([...first.rows, ...last.rows].map((r) => r["id"]));
    expect(seen.size).toBe(45);
    // newest first by default
    const times = first.rows.map((r) => String(r["created_at"]));
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("filters with the ls language and sorts on a metric, NaN and missing values last", async () => {
    const where = "params.lr < 0.05 and status = 'completed'";
    const page = await fx.get<Page>(`/api/runs?limit=500&where=${encodeURIComponent(where)}&sort=metrics.loss&desc=1&columns=id,name,params.lr,metrics.loss`);
    const expected = docs.filter((d) => (d.config["lr"] as number) < 0.05 && d.experiment.status !== "failed");
    expect(page.total).toBe(expected.length);
    expect(page.columns).toEqual(["id", "name", "params.lr", "metrics.loss"]);
    const values = page.rows.map((r) => r["metrics.loss"]);
    const finite = values.filter((v): v is number => typeof v === "number");
    expect(finite).toEqual([...finite].sort((a, b) => b - a));
    // NaN travels as the storage format's string and sorts after every number
    const firstNaN = values.indexOf("NaN");
    expect(firstNaN).toBeGreaterThan(0);
    expect(values.slice(firstNaN).every((v) => v === "NaN" || v === null)).toBe(true);
    expect(values.filter((v) => v === "NaN").length).toBe(expected.filter((d) => Number.isNaN(metricOf(d, "loss"))).length);
    expect(page.rows.every((r) => (r["params.lr"] as number) < 0.05)).toBe(true);
  });

  it("sorts ascending when a sort key is named without desc, as ls --sort does; newest first when none is", async () => {
    const asc = await fx.get<Page>("/api/runs?limit=500&sort=params.lr&columns=id,params.lr");
    const lrs = asc.rows.map((r) => r["params.lr"] as number);
    expect(lrs).toEqual([...lrs].sort((a, b) => a - b));
    expect(lrs[0]).toBe(0.001);
    const desc = await fx.get<Page>("/api/runs?limit=500&sort=params.lr&desc=1&columns=id,params.lr");
    expect(desc.rows[0]!["params.lr"]).toBe(0.1);
    const plain = await fx.get<Page>("/api/runs?limit=5");
    const times = plain.rows.map((r) => String(r["created_at"]));
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("sorts ascending on a nested param and on a name", async () => {
    const byLayers = await fx.get<Page>("/api/runs?limit=500&sort=params.model.layers&desc=0&columns=id,params.model.layers");
    const layers = byLayers.rows.map((r) => r["params.model.layers"] as number);
    expect(layers).toEqual([...layers].sort((a, b) => a - b));
    const byName = await fx.get<Page>("/api/runs?limit=3&sort=name&desc=0&columns=id,name,tags");
    expect(byName.rows.map((r) => r["name"])).toEqual(["exp-0", "exp-1", "exp-10"]);
    expect(byName.rows[0]!["tags"]).toBe("baseline");
  });

  it("answers a filter that does not parse with the error and its column, not a failure", async () => {
    const bad = await fx.get<Page>(`/api/runs?where=${encodeURIComponent("params.lr <")}`);
    expect(bad.error?.code).toBe("EINVALID");
    expect(bad.error?.column).toBe(12);
    const unknown = await fx.get<Page>(`/api/runs?where=${encodeURIComponent("metrics.val.acc > 0.5 and params.lrr = 1")}`);
    expect(unknown.error?.code).toBe("ENOTFOUND");
    expect(unknown.error?.column).toBe(27);
    expect(unknown.error?.message).toMatch(/did you mean params\.lr/);
    const badSort = await fx.get<Page>("/api/runs?sort=tags");
    expect(badSort.error?.code).toBeDefined();
    const badColumn = await fx.get<Page>("/api/runs?columns=id,params.nope");
    expect(badColumn.error?.code).toBe("ENOTFOUND");
    const badPage = await fx.get<Page>("/api/runs?limit=100000");
    expect(badPage.error?.code).toBe("EUSAGE");
  });

  it("says a user's mistake with an HTTP status, never a 500 or a hang", async () => {
    const status = async (path: string, init?: RequestInit): Promise<number> => (await fetch(fx.ui.url + path.replace(/^\//, ""), init)).status;
    expect(await status(`/api/runs?where=${encodeURIComponent("params.lr <")}`)).toBe(400);
    expect(await status(`/api/runs?where=${encodeURIComponent("params.lrr = 1")}`)).toBe(404);
    expect(await status(`/api/runs?where=${encodeURIComponent("(".repeat(5000) + "metrics.loss > 0" + ")".repeat(5000))}`)).toBe(400);
    expect(await status("/api/runs?offset=99999999999999999999")).toBe(400);
    expect(await status("/api/runs?limit=2abc")).toBe(400);
    expect(await status("/api/nothing-here")).toBe(404);
    expect(await status("/api/events", { method: "HEAD", signal: AbortSignal.timeout(5000) })).toBe(200);
    // The sort may say its own direction, as ls --sort does.
    const page = await fx.get<Page>("/api/runs?sort=-name&limit=1");
    expect(page.rows[0]!["name"]).toBe("exp-99");
  });

  it("takes run ids for series as everywhere else: a prefix or a name", async () => {
    const page = await fx.get<Page>(`/api/runs?limit=1&where=${encodeURIComponent("name = 'exp-0'")}`);
    const id = String(page.rows[0]!["id"]);
    const byPrefix = await fx.get<{ series: unknown[] }>(`/api/series?ids=${id.slice(0, 10)},exp-4`);
    expect(byPrefix.series).toHaveLength(2);
    expect((await fetch(fx.ui.url + "api/series?ids=nobody")).status).toBe(404);
  });

  it("offers the index's keys, with the params that vary as default columns", async () => {
    const keys = await fx.get<{ params: string[]; metrics: string[]; defaults: string[] }>("/api/keys");
    expect(keys.params).toEqual(expect.arrayContaining(["lr", "model.layers", "model.act", "模型.深度", "seed"]));
    expect(keys.metrics).toEqual(expect.arrayContaining(["loss", "val.acc", "précision"]));
    expect(keys.defaults.slice(0, 5)).toEqual(["id", "name", "status", "created_at", "tags"]);
    expect(keys.defaults).toContain("params.lr");
  });

  it("gives series of selected runs with NaN as gaps (null)", async () => {
    const page = await fx.get<Page>(`/api/runs?limit=500&where=${encodeURIComponent("name in ('exp-0', 'exp-4', 'exp-1')")}`);
    const ids = page.rows.map((r) => String(r["id"]));
    const s = await fx.get<{ metric: string; metrics: string[]; series: { label: string; points: [number, number | null][] }[] }>(`/api/series?ids=${ids.join(",")}`);
    expect(s.metric).toBe("loss");
    // exp-1 has no series: only two lines
    expect(s.series.map((x) => x.label).sort()).toEqual(["exp-0", "exp-4"]);
    const exp0 = s.series.find((x) => x.label === "exp-0")!;
    expect(exp0.points).toEqual([[0, 1], [10, null], [20, 0.25]]);
    expect(s.series.find((x) => x.label === "exp-4")!.points).toEqual([[0, 1], [10, 0.5], [20, 0.25]]);
  });

  it("compares and diffs selected runs through the analysis functions", async () => {
    const page = await fx.get<Page>(`/api/runs?where=${encodeURIComponent("name in ('exp-1', 'exp-2')")}&sort=name&desc=0`);
    const [a, b] = page.rows.map((r) => String(r["id"]));
    const c = await fx.get<{ columns: string[]; rows: Record<string, string>[] }>(`/api/compare?ids=${a},${b}`);
    expect(c.columns).toEqual(["kind", "key", "exp-1", "exp-2"]);
    expect(c.rows.find((r) => r["key"] === "lr")).toMatchObject({ "exp-1": "0.01", "exp-2": "0.001" });
    const d = await fx.get<{ text: string }>(`/api/diff?a=${a}&b=${b}`);
    expect(d.text).toMatch(/config:\n\s+~ lr: 0\.01 -> 0\.001/);
    const missing = await fx.get<Page>(`/api/diff?a=${a}&b=ffffffffff`);
    expect(missing.error?.code).toBe("ENOTFOUND");
    const one = await fx.get<Page>(`/api/compare?ids=${a}`);
    expect(one.error?.code).toBe("EUSAGE");
  });

  it("serves the leaderboard and the trend from the index", async () => {
    const top = await fx.get<{ columns: string[]; rows: Record<string, unknown>[]; note: string }>("/api/top?metric=val.acc&order=max");
    const best = Math.max(...docs.map((d) => metricOf(d, "val.acc")).filter((v): v is number => v !== undefined && !Number.isNaN(v)));
    expect(top.rows[0]!["val.acc"]).toBe(best);
    expect(top.note).toMatch(/higher is better/);
    const byConfig = await fx.get<{ columns: string[] }>("/api/top?metric=loss&by=config");
    expect(byConfig.columns).toContain("runs");
    const trend = await fx.get<{ points: { label: string; best: number }[]; along: string | null }>("/api/trend?metric=val.acc");
    expect(trend.points.map((p) => p.label)).toEqual(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"]);
    const along = await fx.get<Page>("/api/trend?metric=val.acc&along=no-such-branch");
    expect(along.error?.code).toBe("ENOTFOUND");
    const unknown = await fx.get<Page>("/api/top?metric=nope");
    expect(unknown.error?.code).toBe("ENOTFOUND");
  });

  it("picks up new experiments and annotations without a restart: the fingerprint moves", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(3));
    const s = await serve(dir);
    const before = await s.get<Page>("/api/runs?columns=id,name,tags");
    expect(before.total).toBe(3);
    const fp0 = s.ui.fingerprint();
    const tagged = await cli(dir, ["tag", String(before.rows[0]!["id"]).slice(0, 10), "promoted"]);
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(s.ui.fingerprint()).not.toBe(fp0);
    const after = await s.get<Page>("/api/runs?columns=id,name,tags");
    expect(after.rows[0]!["tags"]).toMatch(/promoted/);
    const fp1 = s.ui.fingerprint();
    await importDocs(dir, fixtureDocs(5).slice(3));
    expect(s.ui.fingerprint()).not.toBe(fp1);
    expect((await s.get<Page>("/api/runs")).total).toBe(5);
  });

  it("shows an empty repository as empty, with no error", async () => {
    const s = await serve(makeRepo());
    const page = await s.get<Page>("/api/runs");
    expect(page).toMatchObject({ total: 0, rows: [] });
    expect(await s.get("/api/keys")).toMatchObject({ params: [], metrics: [] });
    expect(await s.get("/api/live")).toEqual({ runs: [] });
    const html = await (await fetch(s.ui.url)).text();
    expect(html).toContain("/static/uplot.js");
    const js = await (await fetch(s.ui.url + "static/app.js")).text();
    expect(js).toContain("No experiments yet");
    expect((await fetch(s.ui.url + "static/uplot.js")).status).toBe(200);
  });

  it("is read-only, and refuses other Host headers (DNS rebinding)", async () => {
    expect((await fetch(fx.ui.url + "api/runs", { method: "POST" })).status).toBe(405);
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(fx.ui.url);
      const req = request({ host: u.hostname, port: u.port, path: "/api/runs", headers: { host: "attacker.example:80" } }, (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it("moves to the next free port when the one asked for is taken", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port)));
    try {
      const s = await serve(fx.dir, port);
      expect(s.ui.port).toBeGreaterThan(port);
      expect((await s.get<Page>("/api/runs?limit=1")).total).toBe(120);
    } finally {
      blocker.close();
    }
  });

  it("takes keys as the index spells them in columns and sort (a metric named 'f1 (macro)')", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, quotedKeyDocs());
    const s = await serve(dir);
    const keys = await s.get<{ defaults: string[] }>("/api/keys");
    expect(keys.defaults).toContain("metrics.f1 (macro)");
    const page = await s.get<Page>(`/api/runs?columns=${encodeURIComponent(keys.defaults.join(","))}&sort=${encodeURIComponent("metrics.f1 (macro)")}&desc=1`);
    expect(page.error).toBeUndefined();
    expect(page.rows.map((r) => [r["name"], r["metrics.f1 (macro)"]])).toEqual([["q-1", 0.9], ["q-2", 0.6], ["q-0", 0.4]]);
    const byParam = await s.get<Page>(`/api/runs?columns=name,${encodeURIComponent("params.batch size")}&sort=${encodeURIComponent("params.batch size")}&desc=0`);
    expect(byParam.rows.map((r) => r["params.batch size"])).toEqual([16, 32, 48]);
    // the filter language's own quoting still works
    const quoted = await s.get<Page>(`/api/runs?columns=${encodeURIComponent("name,metrics.`f1 (macro)`")}&desc=0&sort=name`);
    expect(quoted.columns).toEqual(["name", "metrics.f1 (macro)"]);
  });

  it("gives the filtered runs' values for chart axes: numbers, categories, missing as null; lower-is-better metrics named", async () => {
    const m = await fx.get<{ total: number; ids: string[]; columns: { key: string; kind: string; values: unknown[] }[]; error?: unknown }>(
      `/api/matrix?where=${encodeURIComponent("params.lr < 0.05")}&keys=params.lr,params.model.act,metrics.val.acc`,
    );
    expect(m.error).toBeUndefined();
    const expected = docs.filter((d) => (d.config["lr"] as number) < 0.05);
    expect(m.total).toBe(expected.length);
    expect(m.ids).toHaveLength(expected.length);
    expect(m.columns.map((c) => [c.key, c.kind])).toEqual([["params.lr", "number"], ["params.model.act", "category"], ["metrics.val.acc", "number"]]);
    expect(new Set(m.columns[1]!.values)).toEqual(new Set(["relu", "gelu"]));
    expect(m.columns[2]!.values.filter((v) => v === null).length).toBe(expected.filter((d) => metricOf(d, "val.acc") === undefined).length);
    // Parallel coordinates asks without ids: the same columns, no ids or names.
    const lines = await fx.get<{ total: number; count: number; ids?: string[]; names?: unknown[]; columns: unknown[] }>(
      `/api/matrix?where=${encodeURIComponent("params.lr < 0.05")}&keys=params.lr,params.model.act,metrics.val.acc&ids=0`,
    );
    expect(lines).toMatchObject({ total: expected.length, count: expected.length });
    expect(lines.ids).toBeUndefined();
    expect(lines.names).toBeUndefined();
    expect(lines.columns).toEqual(m.columns);
    const bad = await fetch(`${fx.ui.url}api/matrix?keys=name`);
    expect(bad.status).toBe(400);
    const keys = await fx.get<{ lower: string[] }>("/api/keys");
    expect(keys.lower).toEqual(["loss"]);
  });

  it("serves a run's system metrics and media, and only media files, an SVG sandboxed", async () => {
    const dir = makeRepo({ commit: true });
    const rec = await cli(dir, ["record", "-", "--json"], { input: JSON.stringify(systemDoc("sys-run")) });
    const id = (JSON.parse(rec.stdout) as { id: string }).id;
    const s = await serve(dir);
    const run = await s.get<{ system: { metric: string; points: [number, number][] }[]; media: { key: string; items: { step: number; path: string; type: string }[] }[]; series: string[] }>(`/api/run?id=${id.slice(0, 8)}`);
    expect(run.series).toEqual(["loss"]);
    expect(run.system.map((x) => x.metric)).toEqual(["system/cpu_pct", "system/gpu0/util_pct", "system/rss_mb"]);
    expect(run.system[0]!.points).toEqual([[1, 95.5], [11, 101], [21, 99]]);
    expect(run.media).toEqual([{ key: "samples", items: [{ step: 0, path: "media/samples/0.png", type: "image/png" }, { step: 5, path: "media/samples/5.svg", type: "image/svg+xml" }, { step: 10, path: "media/samples/10.svg", type: "image/svg+xml" }] }]);
    const image = await fetch(`${s.ui.url}api/media?id=${id}&path=media/samples/10.svg`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/svg+xml");
    expect(image.headers.get("content-security-policy")).toMatch(/sandbox/);
    expect(await image.text()).toBe(svg("#e15759"));
    expect((await fetch(`${s.ui.url}api/media?id=${id}&path=experiment.json`)).status).toBe(400);
    expect((await fetch(`${s.ui.url}api/media?id=${id}&path=media/samples/3.png`)).status).toBe(404);
    expect((await fetch(`${s.ui.url}api/run?id=ffffffff`)).status).toBe(404);
  });

  it("pages at the library level with the same answers", async () => {
    const repo = await openRepository(fx.dir);
    const index = new ExperimentIndex(repo);
    try {
      const page = await runsPage(await index.open(), { where: "tags.baseline", limit: 500, columns: ["id", "tags"] });
      expect(page.total).toBe(docs.filter((d) => d.experiment.tags?.includes("baseline")).length);
    } finally {
      index.close();
    }
  });
});

describe("git exp ui command", () => {
  it("refuses a bad port or host before listening, and outside a repository", async () => {
    const dir = makeRepo();
    const snap = repoSnapshot(dir);
    for (const args of [["ui", "--port", "http"], ["ui", "--port", "70000"], ["ui", "--port", "-1"], ["ui", "--host", ""]]) {
      const r = await cli(dir, args);
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect(repoSnapshot(dir)).toBe(snap);
    const outside = binary("/", ["ui", "--port", "0"]);
    expect(outside.code).toBe(4);
    expect(outside.stderr).toMatch(/not inside a git repository: run 'git init' first/);
    const elsewhere = binary(dir, ["ui", "--port", "0", "--host", "192.0.2.7"]);
    expect(elsewhere.code).toBe(4);
    expect(elsewhere.stderr).toMatch(/cannot listen on 192\.0\.2\.7:0: .*; give --host an address of this machine \(127\.0\.0\.1/);
  });

  it("prints its address, warns when listening beyond this machine, stops on SIGINT", async () => {
    const dir = makeRepo({ commit: true });
    const child = spawn(BIN, ["ui", "--port", "0", "--host", "0.0.0.0"], { cwd: dir, env: { ...process.env, ...TEST_ENV } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => resolve(String(d).trim()));
      child.on("exit", () => reject(new Error(`ui exited: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    expect(stderr).toMatch(/warning: listening on 0\.0\.0\.0/);
    const port = new URL(url).port;
    expect(((await (await fetch(`http://127.0.0.1:${port}/api/runs`)).json()) as Page).total).toBe(0);
    // The one-file CLI serves the page's script bundled beside it by the build.
    const app = await fetch(`http://127.0.0.1:${port}/static/app.js`);
    expect(app.status).toBe(200);
    expect(await app.text()).toContain("No experiments yet");
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGINT");
    });
    expect(code).toBe(0);
  });
});

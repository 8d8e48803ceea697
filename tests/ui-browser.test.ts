import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { Workspace } from "../src/api/workspace.js";
import { startUi, type RunningUi } from "../src/cli/ui/start.js";
import { openRepository } from "../src/store/repository.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { ROOT, cleanup, cli, makeRepo, tempDir } from "./helpers/repo.js";
import { systemDoc } from "./helpers/media.js";
import { fixtureDocs, importDocs, quotedKeyDocs } from "./helpers/experiments.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "tests", "artifacts");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

const servers: { ui: RunningUi; store: ExperimentStore }[] = [];
let browser: BrowserContext | undefined;

async function serve(dir: string): Promise<RunningUi> {
  const ws = new Workspace({ cwd: dir });
  const store = await ws.store();
  const ui = await startUi(ws, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
  servers.push({ ui, store });
  return ui;
}

/** A page that fails the test on any script error or failed request. */
async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // A 400 is the answer to the broken filter the test types, shown in the page: not a problem.
  const expected = /Failed to load resource: the server responded with a status of 400/;
  page.on("console", (m) => void (m.type() === "error" && !expected.test(m.text()) && problems.push(`console: ${m.text()}`)));
  page.on("requestfailed", (r) => void (!r.url().includes("/api/events") && problems.push(`request failed: ${r.url()}`)));
  await page.goto(url);
  return { page, problems };
}

beforeAll(async () => {
  if (!haveChromium) return;
  const { chromium } = await import("playwright-core");
  browser = await chromium.launchPersistentContext(tempDir("git-exp-chromium-"), {
    executablePath: CHROMIUM,
    viewport: { width: 1280, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers.splice(0)) {
    await s.ui.close();
    await s.store.close();
  }
  cleanup();
});

describe.skipIf(!haveChromium)("the dashboard in headless Chromium", { timeout: 60_000 }, () => {
  it("filters (a broken filter shows its error), sorts, selects two runs, shows their curves and diff", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(120));
    const ui = await serve(dir);
    const { page, problems } = await open(ui.url);
    await page.waitForSelector("#runs-table tbody tr");
    expect(await page.locator("#runs-table tbody tr").count()).toBe(50);
    expect(await page.textContent("#count")).toBe("120 experiments");

    await page.fill("#filter", "params.lr <");
    await page.waitForSelector("#filter.bad");
    expect(await page.textContent("#filter-error")).toMatch(/column 12/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-bad-filter.png") });

    await page.fill("#filter", "params.lr < 0.05 and params.model.layers = 0");
    await page.waitForSelector("#filter:not(.bad)");
    await page.locator("#count", { hasText: "match" }).waitFor();
    // i % 4 == 0 (layers 0) and i % 3 != 0 (lr < 0.05) among 120
    expect(await page.textContent("#count")).toBe("20 experiments match");

    // A loss: the first click sorts best (lowest) first.
    await page.click("th[data-col='metrics.loss']");
    await page.waitForSelector("th[data-col='metrics.loss'] .dir");
    expect(await page.textContent("th[data-col='metrics.loss'] .dir")).toBe("▲");
    const column = await page.$$eval("#runs-table thead th", (ths) => ths.findIndex((th) => th.getAttribute("data-col") === "metrics.loss"));
    const losses = await page.$$eval(`#runs-table tbody tr td:nth-child(${column + 1})`, (tds) => tds.map((td) => td.textContent ?? ""));
    const numbers = losses.filter((t) => t !== "" && t !== "NaN").map(Number);
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(losses.slice(numbers.length).every((t) => t === "NaN" || t === "")).toBe(true);

    const picks = page.locator("#runs-table input.pick");
    await picks.nth(0).check();
    await picks.nth(1).check();
    expect(await page.textContent("#sel-info")).toBe("2 selected");
    await page.click("#curves-btn");
    await page.waitForSelector("#curve-chart canvas");
    const legend = await page.$$eval("#curve-chart .u-legend .u-series th", (ths) => ths.map((t) => t.textContent?.trim()));
    expect(legend.filter((l) => l && l !== "step")).toHaveLength(2);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-curves.png"), fullPage: true });

    await page.click("#diff-btn");
    await page.waitForSelector("#diff-text");
    const diff = await page.textContent("#diff-text");
    expect(diff).toMatch(/^A: [0-9a-f]{12}/);
    expect(diff).toMatch(/config:/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-diff.png"), fullPage: true });

    await page.click("nav button[data-page=top]");
    await page.waitForSelector("#top-table tbody tr");
    await page.click("nav button[data-page=trend]");
    await page.waitForSelector("#trend-chart canvas");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-trend.png"), fullPage: true });
    // The active tab is in the address: a reload comes back to it, the filter too.
    expect(new URL(page.url()).hash).toMatch(/page=trend/);
    await page.reload();
    await page.waitForSelector("#page-trend.on #trend-chart canvas");
    expect(await page.getAttribute("nav button[data-page=trend]", "class")).toBe("on");
    expect(await page.inputValue("#filter")).toBe("params.lr < 0.05 and params.model.layers = 0");
    expect(problems).toEqual([]);
  });

  it("a table wider than the page scrolls sideways with a cue, its last column reachable", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(30));
    const ui = await serve(dir);
    const columns = "id,name,status,created_at,created_by,branch,source_commit,config_hash,message,params.lr,params.model.act,params.model.layers,metrics.val.acc,metrics.loss";
    const { page, problems } = await open(`${ui.url}#columns=${columns}`);
    await page.setViewportSize({ width: 720, height: 800 });
    await page.waitForSelector("#runs-table tbody tr");
    await page.waitForSelector("#runs-table .scroll-box.more-right .scroll-cue", { state: "visible" });
    const wrap = page.locator("#runs-table .table-wrap");
    expect(await wrap.evaluate((w) => w.scrollWidth > w.clientWidth)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-wide-table.png") });
    await wrap.evaluate((w) => w.scrollTo({ left: w.scrollWidth }));
    await page.waitForSelector("#runs-table .scroll-box:not(.more-right)");
    const last = await page.locator("th[data-col='metrics.loss']").boundingBox();
    expect(last!.x + last!.width).toBeLessThanOrEqual(720);
    expect(problems).toEqual([]);
  });

  it("parallel coordinates: dragging along an axis narrows the runs table, and the filter is in the address", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(120));
    const ui = await serve(dir);
    const { page, problems } = await open(`${ui.url}#axes=params.lr,params.model.layers,metrics.val.acc`);
    await page.waitForSelector("#runs-table tbody tr");
    await page.click("#view-parallel-btn");
    await page.waitForSelector("#pc[data-painted='120']");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-parallel.png") });
    const axis = (await page.locator(".pc-axis[data-key='params.lr']").boundingBox())!;
    // lr is 0.1, 0.01 or 0.001 (a third each): keep the top third of its axis
    await page.mouse.move(axis.x + 12, axis.y + 1);
    await page.mouse.down();
    await page.mouse.move(axis.x + 12, axis.y + axis.height * 0.2, { steps: 4 });
    await page.mouse.up();
    await page.locator("#count", { hasText: "40 experiments match" }).waitFor();
    expect(await page.textContent("#brush-info")).toMatch(/params\.lr >= 0\.0\d+ and params\.lr <= 0\.1/);
    expect(await page.textContent("#pc-info")).toMatch(/120 runs, 40 inside the axis filters/);
    expect(new URL(page.url()).hash).toMatch(/brush=/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-parallel-brushed.png") });
    await page.click("#brush-clear");
    await page.locator("#count", { hasText: "120 experiments" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("scatter: a param against a metric coloured by a param; a point opens its run", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, fixtureDocs(60));
    const ui = await serve(dir);
    const { page, problems } = await open(`${ui.url}#view=scatter&sx=params.model.layers&sy=metrics.val.acc&sc=params.lr`);
    await page.waitForSelector("#scatter-svg circle.pt");
    expect(await page.inputValue("#sc-c")).toBe("params.lr");
    expect(await page.locator("#scatter-svg circle.pt").count()).toBeGreaterThan(40);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-scatter.png") });
    const point = page.locator("#scatter-svg circle.pt").first();
    const id = await point.getAttribute("data-id");
    await point.click();
    await page.waitForSelector("#page-run.on #run-id");
    expect(await page.textContent("#run-id")).toBe(id);
    expect(new URL(page.url()).hash).toContain(`run=${id}`);
    expect(problems).toEqual([]);
  });

  it("a run's page charts its system metrics; its media slider moves between steps; selected runs side by side", async () => {
    const dir = makeRepo({ commit: true });
    for (const [name, start] of [["sys-a", 1772359200], ["sys-b", 1772362800]] as const) {
      const r = await cli(dir, ["record", "-"], { input: JSON.stringify(systemDoc(name, start)) });
      expect(r.code, r.stderr).toBe(0);
    }
    const ui = await serve(dir);
    const { page, problems } = await open(ui.url);
    await page.waitForSelector("#runs-table tbody tr");
    await page.click("#runs-table a.run-link >> nth=0");
    await page.waitForSelector("#run-system .sys-chart canvas");
    expect(await page.$$eval("#run-system .sys-chart", (els) => els.map((e) => e.getAttribute("data-metric")))).toEqual(["system/cpu_pct", "system/gpu0/util_pct", "system/rss_mb"]);
    expect(await page.locator("#run-system .sys-chart canvas").count()).toBe(3);
    const label = page.locator(".media[data-key=samples] .media-label");
    const image = page.locator(".media[data-key=samples] img.media-img");
    expect(await label.textContent()).toBe("step 10");
    const loaded = (): Promise<number> => image.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete ? i.naturalWidth : 0; });
    await expect.poll(loaded).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-run.png"), fullPage: true });
    await page.focus(".media[data-key=samples] input.media-step");
    await page.keyboard.press("Home");
    expect(await label.textContent()).toBe("step 0");
    expect(decodeURIComponent((await image.getAttribute("src"))!)).toMatch(/path=media\/samples\/0\.png$/);
    await expect.poll(loaded).toBe(1);
    await page.keyboard.press("ArrowRight");
    expect(await label.textContent()).toBe("step 5");
    await expect.poll(loaded).toBe(40);

    await page.click("#run-back");
    const picks = page.locator("#runs-table input.pick");
    await picks.nth(0).check();
    await picks.nth(1).check();
    await page.click("#media-btn");
    await page.waitForSelector("#media-side figure img");
    expect(await page.locator("#media-side figure").count()).toBe(2);
    expect(await page.textContent("#media-all-label")).toBe("10");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-media-side-by-side.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("the curves' seed bands toggle: one mean curve and band per group of repeats (gitexp.json repeat_keys), and back", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "gitexp.json"), JSON.stringify({ repeat_keys: ["seed", "data.order"] }));
    // two configs: lr 0.1 with three seeds, lr 0.01 with two data orders (a nested repeat key)
    const runs: [string, Record<string, unknown>][] = [["wide-0", { lr: 0.1, seed: 0 }], ["wide-1", { lr: 0.1, seed: 1 }], ["wide-2", { lr: 0.1, seed: 2 }], ["narrow-0", { lr: 0.01, data: { order: 0 } }], ["narrow-1", { lr: 0.01, data: { order: 1 } }]];
    await importDocs(dir, runs.map(([name, config], i) => ({
      experiment: { name, created_at: `2026-03-01T10:00:0${i}.000Z` },
      config,
      results: { loss: 0.1 },
      series: { loss: { step: [0, 1, 2], value: [0, 1, 2].map((s) => (1 + i) / (s + 1)) } },
    })));
    const ui = await serve(dir);
    const { page, problems } = await open(ui.url);
    await page.waitForSelector("#runs-table tbody tr");
    const picks = page.locator("#runs-table input.pick");
    for (let i = 0; i < 5; i++) await picks.nth(i).check();
    await page.click("#curves-btn");
    await page.waitForSelector("#curve-chart canvas");
    const legend = (): Promise<string[]> => page.$$eval("#curve-chart .u-legend .u-series", (rows) => rows.filter((r) => (r as unknown as { style: { display: string } }).style.display !== "none").map((r) => r.querySelector("th")?.textContent?.trim() ?? "").filter((l) => l !== "step"));
    expect(await legend()).toHaveLength(5);
    await page.check("#curve-bands");
    await page.waitForSelector("#curve-chart[data-groups='2'] canvas");
    expect((await legend()).sort()).toEqual(["narrow (2 runs, mean ± std)", "wide (3 runs, mean ± std)"]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-seed-bands.png"), fullPage: true });
    await page.uncheck("#curve-bands");
    await page.waitForSelector("#curve-chart:not([data-groups]) canvas");
    expect(await legend()).toHaveLength(5);
    expect(problems).toEqual([]);
  });

  it("shows runs whose keys need quoting in a filter (a metric named 'f1 (macro)'), and sorts on them", async () => {
    const dir = makeRepo({ commit: true });
    await importDocs(dir, quotedKeyDocs());
    const ui = await serve(dir);
    const { page, problems } = await open(ui.url);
    await page.waitForSelector("#runs-table tbody tr");
    expect(await page.textContent("#filter-error")).toBe("");
    expect(await page.locator("#runs-table tbody tr").count()).toBe(3);
    await page.click("th[data-col='metrics.f1 (macro)']");
    await page.waitForSelector("th[data-col='metrics.f1 (macro)'] .dir");
    const column = await page.$$eval("#runs-table thead th", (ths) => ths.findIndex((th) => th.getAttribute("data-col") === "metrics.f1 (macro)"));
    const values = await page.$$eval(`#runs-table tbody tr td:nth-child(${column + 1})`, (tds) => tds.map((td) => td.textContent ?? ""));
    expect(values).toEqual(["0.9", "0.6", "0.4"]);
    expect(problems).toEqual([]);
  });

  it("an empty repository says how to record a first experiment", async () => {
    const ui = await serve(makeRepo());
    const { page, problems } = await open(ui.url);
    await page.waitForSelector(".empty");
    expect(await page.textContent("#runs-table")).toMatch(/No experiments yet.*git exp run/s);
    await page.click("nav button[data-page=live]");
    await page.waitForSelector("#live-list .empty");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-empty.png") });
    expect(problems).toEqual([]);
  });
});

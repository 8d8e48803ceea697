import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { startUi, type RunningUi } from "../src/cli/ui/start.js";
import { openRepository } from "../src/store/repository.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { ROOT, cleanup, makeRepo, tempDir } from "./helpers/repo.js";
import { fixtureDocs, importDocs, quotedKeyDocs } from "./helpers/experiments.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "tests", "artifacts");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

const servers: { ui: RunningUi; store: ExperimentStore }[] = [];
let browser: BrowserContext | undefined;

async function serve(dir: string): Promise<RunningUi> {
  const store = new ExperimentStore(await openRepository(dir));
  const ui = await startUi(store, {}, { host: "127.0.0.1", port: 0, onError: (e) => console.error(e) });
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

    await page.click("th[data-col='metrics.loss']");
    await page.waitForSelector("th[data-col='metrics.loss'] .dir");
    const column = await page.$$eval("#runs-table thead th", (ths) => ths.findIndex((th) => th.getAttribute("data-col") === "metrics.loss"));
    const losses = await page.$$eval(`#runs-table tbody tr td:nth-child(${column + 1})`, (tds) => tds.map((td) => td.textContent ?? ""));
    const numbers = losses.filter((t) => t !== "" && t !== "NaN").map(Number);
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
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

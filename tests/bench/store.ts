import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { commitMessage, experimentFiles } from "../../src/core/experiment.js";
import { makeObject } from "../../src/store/objects.js";
import { commitSeconds } from "../../src/core/time.js";
import { generateExperiment, generateNdjson } from "./generate.js";
import { BIN, benchDir, medianProcessMs, peakRssMiB, removeDir, sh, timeMs, type BenchRow } from "./harness.js";

const N = 10_000;

/** The same experiments as a `git fast-import` stream: the floor for writing them. */
function fastImportStream(n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const exp = generateExperiment(i);
    const files = experimentFiles(exp);
    const config = files.find((f) => f.path === "config.json")!;
    const msg = commitMessage(exp.meta, makeObject("blob", config.data, "sha1").id);
    const who = `${exp.meta.created_by.name} <${exp.meta.created_by.email}> ${commitSeconds(exp.meta.created_at)} +0000`;
    parts.push(Buffer.from(`commit refs/fi/${i}\nauthor ${who}\ncommitter ${who}\ndata ${Buffer.byteLength(msg)}\n${msg}\n`));
    for (const f of files) parts.push(Buffer.from(`M 100644 inline ${f.path}\ndata ${f.data.length}\n`), Buffer.from(f.data), Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

function initRepo(prefix: string): string {
  const dir = benchDir(prefix);
  sh(dir, "git", ["init", "-q"]);
  return dir;
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const work = benchDir("store-data");
  const ndjson = join(work, "exps.ndjson");
  writeFileSync(ndjson, generateNdjson(N));
  const stream = fastImportStream(N);

  const fiRepo = initRepo("fi");
  const fiMs = await timeMs(() => sh(fiRepo, "git", ["fast-import", "--quiet"], stream));
  const impRepo = initRepo("imp");
  const impMs = await timeMs(() => sh(impRepo, BIN, ["import", ndjson]));
  rows.push({
    area: "store",
    name: `import ${N.toLocaleString("en")} experiments (~30 params, 15 metrics)`,
    value: N / (impMs / 1000),
    unit: "exp/s",
    baselineName: "git fast-import of the same objects",
    baselineValue: N / (fiMs / 1000),
    goal: ">= 0.33x the fast-import rate",
  });
  const rssRepo = initRepo("rss");
  const rss = peakRssMiB(rssRepo, BIN, ["import", ndjson]);
  if (rss !== undefined) rows.push({ area: "store", name: `import ${N.toLocaleString("en")}: peak memory`, value: rss, unit: "MiB" });
  const expMs = await timeMs(() => spawnSync(BIN, ["export", "-o", join(work, "out.ndjson")], { cwd: impRepo }));
  const catMs = await timeMs(() =>
    spawnSync("sh", ["-c", "git for-each-ref --format='%(objectname)' refs/experiments/ | git cat-file --batch >/dev/null"], { cwd: impRepo }),
  );
  rows.push({
    area: "store",
    name: `export ${N.toLocaleString("en")} experiments (read every file)`,
    value: expMs,
    unit: "ms",
    baselineName: "git cat-file --batch of the commits",
    baselineValue: catMs,
  });

  const one = initRepo("one");
  writeFileSync(join(one, "c.json"), JSON.stringify(generateExperiment(1).config));
  writeFileSync(join(one, "r.json"), JSON.stringify(generateExperiment(1).results));
  let k = 0;
  const rec = medianProcessMs(one, "sh", ["-c", `${BIN} record --config c.json --results r.json --name "run-$$-${k++}" >/dev/null`]);
  const hash = medianProcessMs(one, "git", ["hash-object", "-w", "c.json"]);
  rows.push({
    area: "store",
    name: "record one experiment, cold process (median of 7)",
    value: rec,
    unit: "ms",
    baselineName: "git hash-object -w of one file",
    baselineValue: hash,
    goal: "< 300 ms",
  });
  for (const d of [work, fiRepo, impRepo, rssRepo, one]) removeDir(d);
  return rows;
}

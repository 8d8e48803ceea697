import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InterruptedError, InvalidInputError, NotFoundError } from "../core/errors.js";
import type { Source, Status } from "../core/experiment.js";
import { canonicalJson, type JsonObject } from "../core/json.js";
import { ChildRun, type ChildResult } from "./child.js";
import { checksumFiles, type FileSum } from "./checksums.js";
import { capturePatch, captureSource, sourceWithConfig, sourceWithPath } from "./git-state.js";
import { HashCache } from "./hash-cache.js";
import { startLive, type LiveHandle } from "./live.js";
import { loadJsonObject } from "./load.js";
import { MediaLog } from "./media-log.js";
import { MetricsTail, metricsLogMeta, warnMetrics, type MetricsSummary } from "./metrics-tail.js";
import { record } from "./record.js";
import { redactArgvWithValues, redactConfig, redactText, secretValues } from "./redact.js";
import { DEFAULT_STORE_MAX_BYTES, runOptions } from "./run-plan.js";
import type { RunOutcome, RunSession } from "./run-session.js";
import { DEFAULT_SYSTEM_INTERVAL_S } from "./system-metrics.js";
import { pathInPoint, type WorkFolder } from "./working-copy.js";

/**
 * Run point `index` of the session's plan in `work` and record it: the one code path behind
 * `run`, every sweep point and `repro`. The command runs in `work.cwd`; --results, --output
 * and --input resolve inside `work`; the config and metrics files live in a scratch folder
 * outside it. A point cut short is recorded as interrupted (unless the plan discards it).
 */
export async function runPoint(s: RunSession, index: number, work: WorkFolder): Promise<RunOutcome> {
  const scratch = await mkdtemp(join(tmpdir(), "git-exp-run-"));
  try {
    const [source, patch, inputSums] = await Promise.all([
      work.source ?? captureSource(s.store.repo),
      work.patch ?? capturePatch(s.store.repo),
      work.inputSums ?? checksums(s, work, s.plan.request.inputs),
    ]);
    const configPath = join(scratch, "config.json");
    const metricsPath = join(scratch, "metrics.jsonl");
    await writeFile(configPath, canonicalJson(s.plan.points[index]!.config, { source: "config" }));
    await writeFile(metricsPath, "");
    const metrics = new MetricsTail(metricsPath, undefined, new MediaLog(work.cwd));
    const startedAt = Date.now();
    const live = await announce(s, index, work, metricsPath, startedAt);
    try {
      const result = await runChild(s, index, work, { metrics, startedAt, configPath, metricsPath });
      const outcome = await recordPoint(s, index, work, { source, patch, inputSums, metrics: await metrics.finish(), result });
      await live?.finish({ experiment: outcome.id, status: outcome.status }).catch(() => undefined);
      return outcome;
    } catch (e) {
      await live?.finish().catch(() => undefined);
      throw e;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The live record `ls --running` and the dashboard show; a run goes on without one if it cannot be written. */
async function announce(s: RunSession, index: number, work: WorkFolder, metricsPath: string, startedAt: number): Promise<LiveHandle | undefined> {
  const r = s.plan.request;
  try {
    return await startLive(s.store.repo, {
      pid: process.pid,
      started_at: new Date(startedAt).toISOString(),
      command: redactArgvWithValues(s.plan.argv, secretValues(r.environ)).argv,
      name: pointName(s, index),
      metrics_file: metricsPath,
      cwd: work.cwd,
      ...s.plan.trial?.live,
    });
  } catch (e) {
    s.hooks.onWarning?.(`could not leave a live record of the run (${e instanceof Error ? e.message : String(e)}); it runs and is recorded all the same`);
    return undefined;
  }
}

interface Started {
  metrics: MetricsTail;
  startedAt: number;
  configPath: string;
  metricsPath: string;
}

async function runChild(s: RunSession, index: number, work: WorkFolder, st: Started): Promise<ChildResult> {
  const r = s.plan.request;
  const point = s.plan.points[index]!;
  const total = s.plan.points.length;
  const { metrics, startedAt, configPath, metricsPath } = st;
  const child = await ChildRun.start({
    argv: s.plan.argv,
    cwd: work.cwd,
    env: childEnv(r.environ, point.config, configPath, metricsPath),
    onOutput: s.plan.jobs === 1 ? s.hooks.onOutput : undefined,
    metrics,
    nvidiaSmi: s.nvidiaSmi,
    systemIntervalMs: r.noSystemMetrics ? undefined : (r.systemIntervalS ?? DEFAULT_SYSTEM_INTERVAL_S) * 1000,
    onTick: () =>
      s.hooks.onTick?.({
        index,
        total,
        elapsedSeconds: (Date.now() - startedAt) / 1000,
        step: metrics.latestStep,
        latest: metrics.latest,
      }),
  }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === "ENOENT"
      ? new NotFoundError(`command '${s.plan.argv[0]}' not found; nothing was recorded`, { cause: e })
      : new InvalidInputError(`could not start '${s.plan.argv[0]}': ${e.message}; nothing was recorded`, undefined, { cause: e });
  });
  s.controller.add(child);
  try {
    return await child.done;
  } finally {
    s.controller.remove(child);
  }
}

function pointName(s: RunSession, index: number): string | undefined {
  const r = s.plan.request;
  const trial = s.plan.trial?.sweep;
  if (r.name !== undefined && trial) return `${r.name}-${trial.index}`;
  return r.name !== undefined && s.plan.points.length > 1 ? `${r.name}-${index + 1}` : r.name;
}

/**
 * The child's environment. The seed is exported exactly (also beyond 2^53); PYTHONHASHSEED
 * only where Python accepts it (0..4294967295), or Python refuses to start.
 */
function childEnv(environ: NodeJS.ProcessEnv, config: JsonObject, configPath: string, metricsPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...environ, GIT_EXP_CONFIG: configPath, GIT_EXP_METRICS: metricsPath };
  const seed = config["seed"];
  if ((typeof seed === "number" && Number.isInteger(seed) && seed >= 0) || (typeof seed === "bigint" && seed >= 0n)) {
    env["GIT_EXP_SEED"] = String(seed);
    if (BigInt(seed) <= 4294967295n) env["PYTHONHASHSEED"] = String(seed);
    else delete env["PYTHONHASHSEED"];
  }
  // Output through a pipe is block-buffered by Python: keep the log and terminal live.
  env["PYTHONUNBUFFERED"] ??= "1";
  return env;
}

/** A path the user gave, where this point sees it. */
function inPoint(s: RunSession, work: WorkFolder, path: string): string {
  const r = s.plan.request;
  return pathInPoint(work, s.store.repo.workTree ?? r.cwd, r.cwd, path);
}

async function checksums(s: RunSession, work: WorkFolder, paths: string[] | undefined): Promise<Record<string, FileSum> | undefined> {
  if (!paths?.length) return undefined;
  const found = await hashFiles(s, work, paths);
  return Object.fromEntries(found.map((f) => [f.key, f.sum]));
}

async function hashFiles(s: RunSession, work: WorkFolder, paths: string[]): Promise<Awaited<ReturnType<typeof checksumFiles>>> {
  const cache = await HashCache.open(s.store.repo.expDir);
  const found = await checksumFiles(paths.map((p) => inPoint(s, work, p)), work.top, cache, work.cwd);
  await cache.save();
  return found;
}

interface Captured {
  source: Source;
  patch: Uint8Array;
  inputSums: Record<string, FileSum> | undefined;
  metrics: MetricsSummary;
  result: ChildResult;
}

async function recordPoint(s: RunSession, index: number, work: WorkFolder, c: Captured): Promise<RunOutcome> {
  const r = s.plan.request;
  const point = s.plan.points[index]!;
  const warn = (t: string): void => s.hooks.onWarning?.(t);
  const res = c.result;
  const status: Status =
    res.interruptedBy || res.signal === "SIGINT" || res.signal === "SIGTERM" ? "interrupted" : res.exitCode === 0 ? "completed" : "failed";
  if (status === "interrupted" && s.plan.discardInterrupted) {
    throw new InterruptedError(`${pointName(s, index) ?? "the run"} was interrupted: nothing recorded`);
  }
  const { config, paths, values: configSecrets } = redactConfig(point.config, secretValues(r.environ));
  const command = redactArgvWithValues(s.plan.argv, secretValues(r.environ));
  // What was redacted from the command line and config is redacted from the log as well.
  const secrets = [...secretValues(r.environ), ...command.values, ...configSecrets].sort((a, b) => b.length - a.length);
  const results = await finalResults(r.resultsFile ? inPoint(s, work, r.resultsFile) : undefined, c.metrics, status, warn);
  warnMetrics(c.metrics, warn);
  const files: Record<string, Uint8Array> = { ...c.metrics.media.files };
  for (const w of c.metrics.media.warnings) warn(w);
  if (c.patch.length > 0) files["patch.diff"] = c.patch;
  const log = res.log.contents();
  if (log.length > 0) files["log.txt"] = Buffer.from(redactText(log.toString("utf8"), secrets), "utf8");
  const outputSums = await outputs(s, work, files, status, warn);
  if (paths.length) warn(`config values that look like secrets were not recorded: ${paths.join(", ")}`);
  const meta: JsonObject = {
    ...s.plan.meta,
    exit_code: res.exitCode,
    duration_s: round(res.wallSeconds, 3),
    resources: resources(res),
  };
  const options = runOptions(r);
  if (options) meta["run_options"] = options;
  if (res.signal) meta["signal"] = res.signal;
  if (status === "interrupted") {
    const why = await s.controller.reason();
    if (why && !why.record) throw new InterruptedError(`${why.by}: ${why.reason}; the trial runs again, so this run is not recorded`);
    if (why) meta["interruption"] = { by: why.by, reason: why.reason };
    if (why?.meta) Object.assign(meta, why.meta);
  }
  if (c.metrics.lines > 0) meta["metrics_log"] = metricsLogMeta(c.metrics);
  const trial = s.plan.trial?.sweep;
  if (trial) meta["sweep"] = { ...trial, params: point.varying };
  else if (s.plan.points.length > 1) {
    meta["sweep"] = { id: s.sweepId, index: index + 1, method: "grid", size: s.plan.points.length, params: point.varying };
  }
  const rec = await record(s.store, {
    config,
    results,
    series: { ...c.metrics.series, ...res.system },
    name: pointName(s, index),
    message: r.message,
    tags: r.tags,
    status,
    command: command.argv,
    meta,
    env: s.env,
    files,
    inputSums: c.inputSums,
    outputSums,
    source: sourceWithConfig(sourceWithPath(c.source, work.top, work.cwd), work.top, r.configFile ? inPoint(s, work, r.configFile) : undefined),
    startedAt: res.startedAt,
    environ: r.environ,
  });
  return {
    index,
    id: rec.id,
    write: rec.status,
    status,
    exitCode: res.exitCode,
    durationSeconds: res.wallSeconds,
    varying: point.varying,
    results,
    logTail: status === "completed" ? "" : tailLines(files["log.txt"], 20),
    experiment: rec.experiment,
  };
}

/** --results FILE, else the last `"final": true` line, else the last value of every metric. */
async function finalResults(
  file: string | undefined,
  m: MetricsSummary,
  status: Status,
  warn: (t: string) => void,
): Promise<JsonObject> {
  if (file) {
    try {
      return await loadJsonObject(file, "results", true);
    } catch (e) {
      if (!(e instanceof InvalidInputError || e instanceof NotFoundError)) throw e;
      if (status === "completed") warn(`${e.message}; the results are taken from the metrics log instead`);
    }
  }
  return m.final ?? m.last;
}

async function outputs(
  s: RunSession,
  work: WorkFolder,
  files: Record<string, Uint8Array>,
  status: Status,
  warn: (t: string) => void,
): Promise<Record<string, FileSum> | undefined> {
  const r = s.plan.request;
  const stored = new Set((r.storeOutputs ?? []).map((p) => inPoint(s, work, p)));
  const paths = [...new Set([...(r.outputs ?? []), ...(r.storeOutputs ?? [])])];
  if (paths.length === 0) return undefined;
  const present: string[] = [];
  for (const p of paths) {
    try {
      await access(inPoint(s, work, p));
      present.push(p);
    } catch {
      if (status === "completed") warn(`output ${p} was not written by the run; it is not recorded`);
    }
  }
  if (present.length === 0) return undefined;
  const found = await hashFiles(s, work, present);
  const max = r.storeMaxBytes ?? DEFAULT_STORE_MAX_BYTES;
  for (const f of found) {
    if (![...stored].some((root) => f.path === root || f.path.startsWith(root + "/"))) continue;
    if (f.sum.size > max) {
      warn(`${f.key} (${f.sum.size} bytes) is over --store-max-size ${max}: only its checksum is recorded`);
      continue;
    }
    files[`artifacts/${f.key.replace(/^\/+/, "")}`] = await readFile(f.path);
  }
  return Object.fromEntries(found.map((f) => [f.key, f.sum]));
}

function resources(res: ChildResult): JsonObject {
  const out: JsonObject = { wall_s: round(res.wallSeconds, 3) };
  if (res.cpuSeconds !== undefined) out["cpu_s"] = round(res.cpuSeconds, 2);
  if (res.cpuSampled && res.cpuSeconds !== undefined) out["cpu_sampled"] = true;
  if (res.peakRssBytes) out["peak_rss_bytes"] = res.peakRssBytes;
  if (res.peakProcesses) out["peak_processes"] = res.peakProcesses;
  if (res.gpus.length) out["gpus"] = res.gpus as JsonObject[];
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function tailLines(data: Uint8Array | undefined, n: number): string {
  if (!data) return "";
  const lines = Buffer.from(data).toString("utf8").trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}

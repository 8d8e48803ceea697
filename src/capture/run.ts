import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CheckFailedError, EnvironmentError, InterruptedError, InvalidInputError, NotFoundError } from "../core/errors.js";
import type { Status } from "../core/experiment.js";
import { canonicalJson, type JsonObject, type JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { ChildRun, type ChildResult } from "./child.js";
import { checksumFiles, type FileSum } from "./checksums.js";
import { captureEnvironment } from "./environment.js";
import { capturePatch, captureSource, sourceWithConfig, sourceWithPath } from "./git-state.js";
import { HashCache } from "./hash-cache.js";
import { startLive, type LiveHandle } from "./live.js";
import { loadJsonObject } from "./load.js";
import { MediaLog } from "./media-log.js";
import { MetricsTail, metricsLogMeta, type MetricsSummary } from "./metrics-tail.js";
import { record } from "./record.js";
import { redactArgvWithValues, redactConfig, redactText, secretValues } from "./redact.js";
import { DEFAULT_STORE_MAX_BYTES, type RunPlan } from "./run-plan.js";
import type { SweepPoint } from "./sweep.js";
import { DEFAULT_SYSTEM_INTERVAL_S } from "./system-metrics.js";
import { which } from "./which.js";

/** What the caller sees while a run goes on; the CLI renders it, a library caller may ignore it. */
export interface RunHooks {
  /** The child's output as it arrives; only called when one point runs at a time. */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** About once a second: the latest metrics of a running point. */
  onTick?: (p: PointProgress) => void;
  onPointEnd?: (outcome: RunOutcome, done: number, total: number) => void;
  onWarning?: (text: string) => void;
}

export interface PointProgress {
  index: number;
  total: number;
  elapsedSeconds: number;
  step: number | undefined;
  latest: Map<string, number | null>;
}

/** One recorded run. */
export interface RunOutcome {
  index: number;
  id: string;
  /** Whether the experiment was new or already recorded (same content). */
  write: "created" | "exists";
  status: Status;
  exitCode: number;
  durationSeconds: number;
  varying: Record<string, JsonValue>;
  results: JsonObject;
  /** The tail of log.txt when the run failed: what a user reads first. */
  logTail: string;
}

/** Why a run was stopped, as the scheduler that stopped it says (recorded in experiment.json). */
export interface Interruption {
  by: string;
  reason: string;
  /** False when the scheduler runs the trial again (a requeue): nothing is recorded now. */
  record: boolean;
  /** experiment.json keys the stopper adds: a search's early termination records `pruned`. */
  meta?: JsonObject;
}

/** Passes signals to running children; the runs are then recorded as interrupted. */
export class RunController {
  interrupted: NodeJS.Signals | null = null;
  /** Set by whoever handles the signal when it can say why (a scheduler); awaited before recording. */
  why: Promise<Interruption | undefined> | undefined;
  private count = 0;
  private readonly running = new Set<ChildRun>();

  /**
   * `alreadyDelivered`: the terminal sent Ctrl-C to the child too (same process group),
   * so it is not sent twice. A third signal kills.
   */
  interrupt(signal: NodeJS.Signals, alreadyDelivered = false): void {
    this.interrupted ??= signal;
    this.count++;
    for (const r of this.running) {
      if (this.count >= 3) r.interrupt("SIGKILL");
      else if (!alreadyDelivered) r.interrupt(signal);
      else r.markInterrupted(signal);
    }
  }

  add(r: ChildRun): void {
    this.running.add(r);
    if (this.interrupted) r.interrupt(this.interrupted);
  }

  remove(r: ChildRun): void {
    this.running.delete(r);
  }
}

/** What the whole run or sweep did. */
export interface RunSummary {
  outcomes: RunOutcome[];
  /** Points never started: a fail-fast stop or an interruption. */
  notRun: number;
  /** git-exp's exit code: the child's for one run; for a sweep the first failure's, else 0. */
  exitCode: number;
}

/**
 * Run a planned command (one point, or every point of a sweep `jobs` at a time) and record
 * an experiment for each run that started. A failed point does not stop the sweep unless
 * `failFast`; an interruption stops launching and records the runs it cut short.
 */
export async function runPlan(
  store: ExperimentStore,
  plan: RunPlan,
  hooks: RunHooks = {},
  controller = new RunController(),
): Promise<RunSummary> {
  const r = plan.request;
  await preflight(store, plan);
  const environ = r.environ;
  const [envCapture, nvidiaSmi] = await Promise.all([
    captureEnvironment({
      environ,
      cwd: r.cwd,
      cacheDir: store.repo.expDir,
      extraVariables: r.envNames,
      refresh: r.refreshEnv,
    }),
    which("nvidia-smi", environ, r.cwd),
  ]);
  // A scheduler's facts differ from task to task: added after the per-machine cache.
  const env = plan.trial ? { ...envCapture.env, ...plan.trial.env } : envCapture.env;
  const sweepId = plan.trial?.sweep.id ?? randomBytes(4).toString("hex");
  const shared: Shared = { store, plan, hooks, controller, env, nvidiaSmi, sweepId };
  const total = plan.points.length;
  const outcomes: RunOutcome[] = [];
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && next < total && !controller.interrupted) {
      const index = next++;
      const outcome = await runPoint(shared, index);
      outcomes.push(outcome);
      hooks.onPointEnd?.(outcome, outcomes.length, total);
      if (outcome.status !== "completed" && r.failFast) stop = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.jobs, total) }, worker));
  outcomes.sort((a, b) => a.index - b.index);
  const failed = outcomes.find((o) => o.exitCode !== 0);
  const exitCode = total === 1 && outcomes[0] ? outcomes[0].exitCode : failed ? failed.exitCode : controller.interrupted ? 130 : 0;
  return { outcomes, notRun: total - outcomes.length, exitCode };
}

interface Shared {
  store: ExperimentStore;
  plan: RunPlan;
  hooks: RunHooks;
  controller: RunController;
  env: JsonObject;
  nvidiaSmi: string | undefined;
  sweepId: string;
}

/** Refusals that need the repository: a dirty tree with --require-clean, an unwritable .git. */
export async function preflight(store: ExperimentStore, plan: RunPlan): Promise<void> {
  if (plan.request.requireClean) {
    const src = await captureSource(store.repo);
    if (src.dirty) {
      throw new CheckFailedError("the work tree has uncommitted changes to tracked files and --require-clean was given: commit or stash them first");
    }
  }
  try {
    await access(join(store.repo.gitDir, "objects"), constants.W_OK);
  } catch (e) {
    throw new EnvironmentError(`cannot write to ${store.repo.gitDir}: the run could not be recorded; check its permissions`, { cause: e });
  }
}

async function runPoint(s: Shared, index: number): Promise<RunOutcome> {
  const r = s.plan.request;
  const point = s.plan.points[index]!;
  const dir = await mkdtemp(join(tmpdir(), "git-exp-run-"));
  try {
    const [source, patch, inputSums] = await Promise.all([
      captureSource(s.store.repo),
      capturePatch(s.store.repo),
      checksums(s, r.inputs),
    ]);
    const configPath = join(dir, "config.json");
    const metricsPath = join(dir, "metrics.jsonl");
    await writeFile(configPath, canonicalJson(point.config, { source: "config" }));
    await writeFile(metricsPath, "");
    const metrics = new MetricsTail(metricsPath, undefined, new MediaLog(r.cwd));
    const startedAt = Date.now();
    const live = await announce(s, index, metricsPath, startedAt);
    try {
      const outcome = await runChild(s, index, { metrics, startedAt, configPath, metricsPath, captured: { source, patch, inputSums } });
      await live?.finish({ experiment: outcome.id, status: outcome.status }).catch(() => undefined);
      return outcome;
    } catch (e) {
      await live?.finish().catch(() => undefined);
      throw e;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The live record `ls --running` and the dashboard show; a run goes on without one if it cannot be written. */
async function announce(s: Shared, index: number, metricsPath: string, startedAt: number): Promise<LiveHandle | undefined> {
  const r = s.plan.request;
  try {
    return await startLive(s.store.repo, {
      pid: process.pid,
      started_at: new Date(startedAt).toISOString(),
      command: redactArgvWithValues(s.plan.argv, secretValues(r.environ)).argv,
      name: pointName(s, index),
      metrics_file: metricsPath,
      cwd: r.cwd,
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
  captured: Pick<Captured, "source" | "patch" | "inputSums">;
}

async function runChild(s: Shared, index: number, st: Started): Promise<RunOutcome> {
  const r = s.plan.request;
  const point = s.plan.points[index]!;
  const total = s.plan.points.length;
  const { metrics, startedAt, configPath, metricsPath } = st;
  const child = await ChildRun.start({
    argv: s.plan.argv,
    cwd: r.cwd,
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
  let result: ChildResult;
  try {
    result = await child.done;
  } finally {
    s.controller.remove(child);
  }
  return await recordPoint(s, index, point, { ...st.captured, metrics: await metrics.finish(), result });
}

function pointName(s: Shared, index: number): string | undefined {
  const r = s.plan.request;
  const trial = s.plan.trial?.sweep;
  if (r.name !== undefined && trial) return `${r.name}-${trial.index}`;
  return r.name !== undefined && s.plan.points.length > 1 ? `${r.name}-${index + 1}` : r.name;
}

function childEnv(environ: NodeJS.ProcessEnv, config: JsonObject, configPath: string, metricsPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...environ, GIT_EXP_CONFIG: configPath, GIT_EXP_METRICS: metricsPath };
  const seed = config["seed"];
  if ((typeof seed === "number" && Number.isInteger(seed) && seed >= 0) || (typeof seed === "bigint" && seed >= 0n)) {
    env["GIT_EXP_SEED"] = String(seed);
    // Python accepts only 0..4294967295 here
    if (BigInt(seed) <= 4294967295n) env["PYTHONHASHSEED"] = String(seed);
  }
  // Output through a pipe is block-buffered by Python: keep the log and terminal live.
  env["PYTHONUNBUFFERED"] ??= "1";
  return env;
}

async function checksums(s: Shared, paths: string[] | undefined): Promise<Record<string, FileSum> | undefined> {
  if (!paths?.length) return undefined;
  const found = await hashFiles(s, paths);
  return Object.fromEntries(found.map((f) => [f.key, f.sum]));
}

async function hashFiles(s: Shared, paths: string[]): Promise<Awaited<ReturnType<typeof checksumFiles>>> {
  const cache = await HashCache.open(s.store.repo.expDir);
  const base = s.store.repo.workTree ?? s.store.repo.cwd;
  const found = await checksumFiles(paths, base, cache, s.plan.request.cwd);
  await cache.save();
  return found;
}

interface Captured {
  source: Awaited<ReturnType<typeof captureSource>>;
  patch: string;
  inputSums: Record<string, FileSum> | undefined;
  metrics: MetricsSummary;
  result: ChildResult;
}

async function recordPoint(s: Shared, index: number, point: SweepPoint, c: Captured): Promise<RunOutcome> {
  const r = s.plan.request;
  const warn = (t: string): void => s.hooks.onWarning?.(t);
  const res = c.result;
  const status: Status =
    res.interruptedBy || res.signal === "SIGINT" || res.signal === "SIGTERM" ? "interrupted" : res.exitCode === 0 ? "completed" : "failed";
  const { config, paths, values: configSecrets } = redactConfig(point.config, secretValues(r.environ));
  const command = redactArgvWithValues(s.plan.argv, secretValues(r.environ));
  // What was redacted from the command line and config is redacted from the log as well.
  const secrets = [...secretValues(r.environ), ...command.values, ...configSecrets].sort((a, b) => b.length - a.length);
  const results = await finalResults(r.resultsFile ? resolve(r.cwd, r.resultsFile) : undefined, c.metrics, status, warn);
  if (c.metrics.skipped.count > 0) {
    warn(`${c.metrics.skipped.count} metrics line(s) were not JSON objects of numbers and were skipped (first at line ${c.metrics.skipped.firstLine})`);
  }
  const files: Record<string, Uint8Array> = { ...c.metrics.media.files };
  for (const w of c.metrics.media.warnings) warn(w);
  if (c.patch) files["patch.diff"] = Buffer.from(c.patch, "utf8");
  const log = res.log.contents();
  if (log.length > 0) files["log.txt"] = Buffer.from(redactText(log.toString("utf8"), secrets), "utf8");
  const outputSums = await outputs(s, files, status, warn);
  if (paths.length) warn(`config values that look like secrets were not recorded: ${paths.join(", ")}`);
  const meta: JsonObject = {
    exit_code: res.exitCode,
    duration_s: round(res.wallSeconds, 3),
    resources: resources(res),
  };
  if (res.signal) meta["signal"] = res.signal;
  if (status === "interrupted") {
    const why = await s.controller.why;
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
  const name = pointName(s, index);
  const rec = await record(s.store, {
    config,
    results,
    series: { ...c.metrics.series, ...res.system },
    name,
    message: r.message,
    tags: r.tags,
    status,
    command: command.argv,
    meta,
    env: s.env,
    files,
    inputSums: c.inputSums,
    outputSums,
    source: sourceWithConfig(sourceWithPath(c.source, s.store.repo.workTree, r.cwd), s.store.repo.workTree, r.configFile ? resolve(r.cwd, r.configFile) : undefined),
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
  s: Shared,
  files: Record<string, Uint8Array>,
  status: Status,
  warn: (t: string) => void,
): Promise<Record<string, FileSum> | undefined> {
  const r = s.plan.request;
  const stored = new Set((r.storeOutputs ?? []).map((p) => resolve(r.cwd, p)));
  const paths = [...new Set([...(r.outputs ?? []), ...(r.storeOutputs ?? [])])];
  if (paths.length === 0) return undefined;
  const present: string[] = [];
  for (const p of paths) {
    try {
      await access(resolve(r.cwd, p));
      present.push(p);
    } catch {
      if (status === "completed") warn(`output ${p} was not written by the run; it is not recorded`);
    }
  }
  if (present.length === 0) return undefined;
  const found = await hashFiles(s, present);
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

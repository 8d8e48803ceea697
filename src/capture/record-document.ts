import { access } from "node:fs/promises";
import { NotFoundError, UsageError } from "../core/errors.js";
import type { Experiment, ExperimentMeta } from "../core/experiment.js";
import type { JsonObject } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { checksumFiles, type FileSum } from "./checksums.js";
import { captureEnvironment } from "./environment.js";
import { capturePatch, captureSource, sourceWithPath } from "./git-state.js";
import { HashCache } from "./hash-cache.js";
import { MediaLog } from "./media-log.js";
import { MetricsTail, metricsLogMeta, warnMetrics } from "./metrics-tail.js";
import { completeDocument, type RecordResult } from "./record.js";
import { redactArgvWithValues, redactConfig, secretValues } from "./redact.js";

export interface DocumentOptions {
  environ: NodeJS.ProcessEnv;
  /** Where the command runs: paths are relative to it, and it is the run's folder. */
  cwd: string;
  /**
   * A metrics log as `git exp run` reads GIT_EXP_METRICS (JSON lines, thinned and limited
   * the same way): the series, and the results when the document gives none.
   */
  metricsFile?: string;
  /** Files or folders the run read / wrote, checksummed into inputs / outputs. */
  inputs?: string[];
  outputs?: string[];
  /**
   * Capture what `git exp run` captures around a command: env.json, patch.diff of a dirty
   * tree, the run's folder as source.path, and secrets redacted from config and command.
   */
  capture?: boolean;
  onWarning?: (text: string) => void;
}

/**
 * `git exp record -`: one experiment document (from a person, a script, or the Python
 * package's standalone runs), completed with what the document leaves out and written.
 * Everything that can be refused is checked before anything is written.
 */
export async function recordDocument(store: ExperimentStore, doc: Experiment, o: DocumentOptions): Promise<RecordResult> {
  const warn = (t: string): void => o.onWarning?.(t);
  let exp: Experiment = { ...doc, meta: { ...doc.meta } as ExperimentMeta, files: { ...doc.files } };
  if (o.metricsFile !== undefined) exp = await withMetricsLog(exp, o.metricsFile, o.cwd, warn);
  const cache = o.inputs?.length || o.outputs?.length ? await HashCache.open(store.repo.expDir) : undefined;
  const base = store.repo.workTree ?? store.repo.cwd;
  const sums = async (paths: string[] | undefined): Promise<Record<string, FileSum> | undefined> =>
    paths?.length ? Object.fromEntries((await checksumFiles(paths, base, cache, o.cwd)).map((f) => [f.key, f.sum])) : undefined;
  const [inputs, outputs] = [await sums(o.inputs), await sums(o.outputs)];
  await cache?.save();
  if (inputs) exp.inputs = { ...exp.inputs, ...inputs };
  if (outputs) exp.outputs = { ...exp.outputs, ...outputs };
  if (o.capture) exp = await withRunCapture(store, exp, o, warn);
  const complete = await completeDocument(store, exp, { environ: o.environ, captureSource: true });
  const [outcome] = await store.write([complete]);
  return { ...outcome!, experiment: complete };
}

async function withMetricsLog(exp: Experiment, file: string, cwd: string, warn: (t: string) => void): Promise<Experiment> {
  try {
    await access(file);
  } catch {
    throw new NotFoundError(`metrics file ${file} does not exist`);
  }
  if (Object.keys(exp.series).length > 0) {
    throw new UsageError("the document has series and --metrics gives them too: give the history one way");
  }
  // Media values ({"image": PATH}) are read relative to where the command runs, as by git exp run.
  const m = await new MetricsTail(file, undefined, new MediaLog(cwd)).finish();
  for (const w of m.media.warnings) warn(w);
  warnMetrics(m, warn);
  const meta = exp.meta as ExperimentMeta & JsonObject;
  if (m.lines > 0 && meta["metrics_log"] === undefined) meta["metrics_log"] = metricsLogMeta(m);
  // As for `git exp run`: the document's results, else the last "final" line, else the last values.
  const results = Object.keys(exp.results).length > 0 ? exp.results : (m.final ?? m.last);
  return { ...exp, series: m.series, results, files: { ...exp.files, ...m.media.files } };
}

async function withRunCapture(store: ExperimentStore, exp: Experiment, o: DocumentOptions, warn: (t: string) => void): Promise<Experiment> {
  const secrets = secretValues(o.environ);
  const [env, source, patch] = await Promise.all([
    exp.env ? undefined : captureEnvironment({ environ: o.environ, cwd: o.cwd, cacheDir: store.repo.expDir }).then((c) => c.env),
    exp.meta.source ? undefined : captureSource(store.repo),
    exp.meta.source || exp.files["patch.diff"] ? undefined : capturePatch(store.repo),
  ]);
  const meta = { ...exp.meta } as ExperimentMeta;
  if (source) meta.source = sourceWithPath(source, store.repo.workTree, o.cwd);
  const command: unknown = meta.command;
  if (Array.isArray(command) && command.every((a) => typeof a === "string")) meta.command = redactArgvWithValues(command, secrets).argv;
  const redacted = redactConfig(exp.config, secrets);
  if (redacted.paths.length) warn(`config values that look like secrets were not recorded: ${redacted.paths.join(", ")}`);
  const files = { ...exp.files };
  if (patch && patch.length > 0) files["patch.diff"] = patch;
  return { ...exp, meta, config: redacted.config, files, ...(env ? { env } : {}) };
}

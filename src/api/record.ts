import { UsageError } from "../core/errors.js";
import { checkNewName, type Experiment } from "../core/experiment.js";
import { loadJsonObject, parseMetricLines, readText } from "../capture/load.js";
import { record as recordExperiment, type RecordInput, type RecordResult } from "../capture/record.js";
import { recordDocument, type DocumentOptions } from "../capture/record-document.js";
import type { Workspace } from "./workspace.js";

export type { Experiment, RecordInput, RecordResult };

/**
 * `git exp record --config --results`: one experiment from its config and results, with
 * identity, time and code state captured (paths relative to the workspace's directory).
 * Recording the same content twice gives the same id (status "exists").
 */
export async function record(ws: Workspace, input: Omit<RecordInput, "environ">): Promise<RecordResult> {
  return recordExperiment(await ws.store(), {
    ...input,
    inputs: input.inputs?.map((p) => ws.path(p)),
    outputs: input.outputs?.map((p) => ws.path(p)),
    environ: ws.env,
  });
}

export interface RecordFilesRequest extends Omit<RecordInput, "environ" | "config" | "results" | "series"> {
  /** The config JSON file (the parameters); absent, the run had none: an empty config. */
  configFile?: string;
  /** The results JSON file (the final metrics). */
  resultsFile: string;
  /** The metric history: JSON lines of {"step": n, "metric": value}. */
  seriesFile?: string;
}

/** `git exp record --config FILE --results FILE [--series FILE]`: the files read (relative to the workspace's directory), then `record`. */
export async function recordFiles(ws: Workspace, req: RecordFilesRequest): Promise<RecordResult> {
  const { configFile, resultsFile, seriesFile, ...rest } = req;
  if (!resultsFile) {
    throw new UsageError("record needs --results FILE, the final metrics as JSON (with --config FILE for the parameters), or - to read a whole document on stdin");
  }
  if (rest.name !== undefined) checkNewName(rest.name);
  const config = configFile ? await loadJsonObject(ws.path(configFile), "config", false) : {};
  const results = await loadJsonObject(ws.path(resultsFile), "results", true);
  const series = seriesFile ? parseMetricLines(await readText(ws.path(seriesFile), "series"), seriesFile, true).series : undefined;
  return record(ws, { ...rest, config, results, series });
}

/** `git exp record -`: a whole experiment document (as export writes one), completed and recorded; warnings go to the workspace's sink. */
export async function recordDocumentIn(ws: Workspace, doc: Experiment, options: Omit<DocumentOptions, "environ" | "cwd"> = {}): Promise<RecordResult> {
  return recordDocument(await ws.store(), doc, {
    ...options,
    metricsFile: options.metricsFile === undefined ? undefined : ws.path(options.metricsFile),
    environ: ws.env,
    cwd: ws.cwd,
    onWarning: options.onWarning ?? ((t) => ws.warn(t)),
  });
}

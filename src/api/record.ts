import type { Experiment } from "../core/experiment.js";
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

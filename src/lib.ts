/**
 * git-exp as a library: every command's logic without the CLI.
 *   import { openRepository, ExperimentStore, record } from "git-exp";
 */
export * from "./core/errors.js";
export { canonicalJson, parseJson, type JsonValue, type JsonObject } from "./core/json.js";
export type { Experiment, ExperimentMeta, Series, Status } from "./core/experiment.js";
export { flattenMetrics, flattenParams } from "./core/experiment.js";
export { experimentToDocument, documentToExperiment, documentLine } from "./core/document.js";
export { openRepository, type Repository } from "./store/repository.js";
export { ExperimentStore, type WriteOutcome } from "./store/experiment-store.js";
export { record, buildExperiment, type RecordInput } from "./capture/record.js";
export { importDocuments, type ImportSummary } from "./capture/import.js";
export { listExperiments, showExperiment } from "./analysis/listing.js";
export { logMetrics, readConfig, type Metrics, type LogOptions } from "./capture/log-metrics.js";
export { planRun, type RunRequest, type RunPlan } from "./capture/run-plan.js";
export { runPlan, RunController, type RunHooks, type RunOutcome, type RunSummary } from "./capture/run.js";
export { captureEnvironment, type EnvironmentCapture } from "./capture/environment.js";
export { redactText, redactArgv, captureVariables } from "./capture/redact.js";

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

/**
 * git-exp as a library: one function per behaviour, each taking a Workspace (the repository
 * and its store and index, opened when first needed) and typed options, returning data.
 * The CLI's commands and the dashboard call the same functions.
 *
 *   import { Workspace, record, top } from "git-exp";
 *   const ws = new Workspace({ cwd: "path/to/repo" });
 *   await record(ws, { config: { lr: 0.1 }, results: { acc: 0.93 } });
 *   const board = await top(ws, { metric: "acc" });
 *   await ws.close();
 */
export { Workspace, type WorkspaceOptions, type WorkspaceSinks, type ProgressSink, type IndexRequest } from "./api/workspace.js";
export * from "./core/errors.js";

// Recording and running
export { record, recordFiles, recordDocumentIn, type RecordInput, type RecordFilesRequest, type RecordResult } from "./api/record.js";
export { plan, run, RunController, type RunHooks, type RunOutcome, type RunPlan, type RunRequest, type RunSummary } from "./api/run.js";
export { repro, type ReproRequest, type ReproResult, type ReproVerdict, type ForeignCommand } from "./api/repro.js";
export { importNdjson, importMlflowStore, type ImportSummary, type MlflowImportSummary } from "./api/import.js";

// Asking
export { show, type ShowRequest, type ExperimentDetails } from "./api/show.js";
export { artifacts, type ArtifactsRequest, type ArtifactListing, type StoredFile } from "./api/artifacts.js";
export { get, type GetRequest, type GotFile } from "./api/get.js";
export { ls, lsRunning, type LsRequest, type SearchResult, type FoundExperiment, type RunningRuns, type Selection } from "./api/ls.js";
export { top, GROUPINGS, type TopRequest, type Leaderboard, type Direction, type Grouping } from "./api/top.js";
export { trend, BUCKETS, type TrendRequest, type Trend, type Bucket } from "./api/trend.js";
export { sql, type SqlRequest, type QueryResult } from "./api/sql.js";
export { diff, type DiffRequest, type ExperimentDiff, type Tolerance } from "./api/diff.js";
export { compare, type CompareRequest, type Comparison } from "./api/compare.js";
export { stats, statsSides, type StatsRequest, type StatsResult, type StatsSide, type StatsReport, type Group } from "./api/stats.js";
export { check, rulesFromLimits, LIMIT_FLAGS, type CheckRequest, type CheckReport, type Rule, type Rules } from "./api/check.js";
export { plot, type PlotRequest, type PlotData } from "./api/plot.js";
export { report, type ReportRequest, type Overview } from "./api/report.js";
export { exportNdjson, exportTable, type ExportTable } from "./api/export.js";
export { syncIndex, indexStatus, type IndexStatus, type SyncReport } from "./api/index-sync.js";
export * as dashboard from "./api/dashboard.js";

// Annotations after the fact
export { annotate, type AnnotateRequest, type AnnotateResult, type AnnotationChange } from "./api/annotate.js";
export { tag, untag } from "./api/tag.js";
export { note } from "./api/note.js";
export { rename } from "./api/rename.js";
export { rm, type RmRequest } from "./api/rm.js";
export { restore } from "./api/restore.js";

// An experiment's code back in the work tree
export { apply, type ApplyRequest, type ApplyOutcome } from "./api/apply.js";
export { branch, type BranchRequest, type BranchOutcome } from "./api/branch.js";

// Sharing
export { push, type PushRequest, type PushSummary } from "./api/push.js";
export { pull, type PullRequest, type PullSummary } from "./api/pull.js";
export { init, type InitRequest, type InitResult, type InitSummary } from "./api/init.js";

// Studies: a sweep run here, a run handed to a scheduler and its workers, the studies so far
export { planSweep, sweep, runSweep, type SweepFileRequest, type SweepStudy, type SweepPlan, type SweepRequest, type SweepSummary, type TrialOutcome } from "./api/sweep.js";
export { runOn, type RunOnRequest, type RunOnResult, type SchedulerOptions, type Submission } from "./api/run-on.js";
export { worker, type WorkerRequest, type WorkerSummary, type WorkerResult } from "./api/worker.js";
export { cancel, type CancelRequest, type Cancelled } from "./api/cancel.js";
export { runSearchWorker } from "./api/cluster-search.js";
export { sweeps, trialsOf, nextTrial, studySize, type StudyRow, type IndexedTrial, type StudyTrial, type NextTrial } from "./api/sweeps.js";

// The data model, pure: what experiments, documents, filters and sweep files are
export type { Experiment, ExperimentMeta, Series, Status } from "./core/experiment.js";
export { canonicalJson, parseJson, type JsonValue, type JsonObject } from "./core/json.js";
export { experimentToDocument, documentToExperiment } from "./core/document.js";
export { parseFilter, type FilterNode } from "./core/filter.js";
export { parseSweepSpec, studyId, type SweepSpec } from "./core/sweep-spec.js";
export { isFullId, isIdPrefix, shortId } from "./core/ids.js";

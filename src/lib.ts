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
// Sharing: remotes, annotations after the fact, export and MLflow import.
export { push, type PushSummary, type PushOptions } from "./store/push.js";
export { pull, type PullSummary, type PullOptions } from "./store/pull.js";
export { initRemote, type InitSummary } from "./store/remote-config.js";
export { verifyExperiments } from "./store/verify.js";
export { annotate, annotationState, readAllAnnotations, type AnnotateResult } from "./store/annotations.js";
export { foldAnnotations, parseEvents, NOTES_REF, type AnnotationEvent, type AnnotationState, type AnnotationChange } from "./core/annotations.js";
export { experimentTable, exportDocuments } from "./analysis/export.js";
export { importMlflow, type MlflowImportSummary } from "./capture/mlflow.js";
export { diffExperiments, diffSpecs, type ExperimentDiff, type MetricDelta, type Tolerance } from "./analysis/diff.js";
export { compareExperiments, compareIds, compareSpecs, type Comparison, type CompareOptions } from "./analysis/compare.js";
export { resolveGroup, groupOf, type Group } from "./analysis/groups.js";
export { compareGroups, summarize, testDifference, type StatsReport, type MetricStats } from "./analysis/stats.js";
export { judgeRepro, type ReproVerdict } from "./analysis/repro.js";
export { rerun, type RerunOptions, type RerunResult } from "./capture/rerun.js";
export { loadCatalog, type Entry } from "./analysis/catalog.js";
export { logMetrics, readConfig, type Metrics, type LogOptions } from "./capture/log-metrics.js";
export { planRun, type RunRequest, type RunPlan } from "./capture/run-plan.js";
export { runPlan, RunController, type RunHooks, type RunOutcome, type RunSummary } from "./capture/run.js";
export { captureEnvironment, type EnvironmentCapture } from "./capture/environment.js";
export { redactText, redactArgv, captureVariables } from "./capture/redact.js";
export { query, withIndex, type QueryOptions } from "./index/query.js";
export { ExperimentIndex, type IndexOptions, type IndexStatus } from "./index/experiment-index.js";
export type { SyncReport } from "./index/sync.js";
export type { IndexDatabase, SqlRow, SqlValue } from "./index/database.js";
export { runUserSql, type QueryResult } from "./index/user-sql.js";
export { parseFilter, type FilterNode } from "./core/filter.js";
export { searchExperiments, type SearchOptions, type FoundExperiment } from "./analysis/search.js";
export { leaderboard, guessDirection, type TopOptions, type Leaderboard } from "./analysis/leaderboard.js";
export { trendOverTime, trendAlong, type TrendOptions, type Trend } from "./analysis/trend.js";
export { firstParentHistory, branchHistory } from "./store/history.js";
// Pictures: dashboard pages over the index, live runs, index sessions for long-lived programs.
export { runsPage, indexKeys, runSeries, type RunsQuery, type RunsPage, type IndexKeys, type RunSeries } from "./analysis/runs-page.js";
export { entriesFromIndex, newestWithSeries } from "./analysis/index-entries.js";
export { startLive, listLive, readLiveProgress, LiveMetrics, type LiveRun, type LiveProgress, type LiveHandle } from "./capture/live.js";
export { IndexSession, type SessionOptions } from "./index/session.js";
// Search: W&B sweep files, the study's next trial (every executor asks this), early termination.
export { parseSweepSpec, studyId, type SweepSpec, type SweepParam, type EarlyTerminate } from "./core/sweep-spec.js";
export { loadSweepFile } from "./capture/sweep-file.js";
export { nextTrial, studySize, bestTrial, type StudyTrial, type StudyOptions, type NextTrial, type TrialState } from "./analysis/study.js";
export { trialsToStop, type TrialCurve, type PruneDecision } from "./analysis/pruning.js";

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
export { query, withIndex, type QueryOptions } from "./index/query.js";
export { ExperimentIndex, type IndexOptions, type IndexStatus } from "./index/experiment-index.js";
export type { SyncReport } from "./index/sync.js";
export type { IndexDatabase, SqlRow, SqlValue } from "./index/database.js";
export { runUserSql, type QueryResult } from "./index/user-sql.js";
export { parseFilter, type FilterNode } from "./core/filter.js";
export { searchExperiments, type SearchOptions, type FoundExperiment } from "./analysis/search.js";
export { leaderboard, guessDirection, type TopOptions, type Leaderboard } from "./analysis/leaderboard.js";
export { trendOverTime, trendAlong, type TrendOptions, type Trend } from "./analysis/trend.js";
export { firstParentHistory } from "./store/history.js";

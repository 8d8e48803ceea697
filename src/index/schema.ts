/**
 * The index's tables. The index is a disposable cache: any change here bumps
 * INDEX_FORMAT, and an index of another format is rebuilt from git, never migrated.
 *
 * Format history:
 *   1  first format
 *   2  experiments whose created_at is RFC 3339 without milliseconds or in another zone
 *      are read (normalised) instead of left out: rebuild so older indexes pick them up
 *   3  no PRIMARY KEY on experiments and _recorded: sync keeps ids unique, and their ART
 *      indexes cost ~250 ms of checkpoint on every update at 100,000 experiments;
 *      _loose_refs, so an update after new refs need not list every ref
 *   4  experiments.sweep_id, sweep_index, sweep_method, sweep_metric, sweep_goal,
 *      pruned_rule, pruned_at_step: a study's trials are found and queried in the index
 *   5  experiments.sweep_size: a study's size (its trials, run or not), for git exp sweeps
 */
export const INDEX_FORMAT = 5;

/** User-facing tables (documented in docs/querying.md), then internal ones (leading underscore). */
export const SCHEMA: string[] = [
  `CREATE TABLE experiments (
    id VARCHAR, name VARCHAR, status VARCHAR, created_at TIMESTAMP,
    created_by VARCHAR, created_by_email VARCHAR, source_commit VARCHAR, branch VARCHAR,
    dirty BOOLEAN, config_hash VARCHAR, message VARCHAR, command VARCHAR,
    exit_code BIGINT, duration_s DOUBLE, parents VARCHAR[],
    sweep_id VARCHAR, sweep_index BIGINT, sweep_method VARCHAR, sweep_metric VARCHAR, sweep_goal VARCHAR,
    pruned_rule VARCHAR, pruned_at_step DOUBLE, sweep_size BIGINT)`,
  `CREATE TABLE params (id VARCHAR, key VARCHAR, value VARCHAR, num DOUBLE, type VARCHAR)`,
  `CREATE TABLE metrics (
    id VARCHAR, key VARCHAR, value DOUBLE, final BOOLEAN, points BIGINT, last DOUBLE,
    min DOUBLE, max DOUBLE, argmin_step DOUBLE, argmax_step DOUBLE)`,
  `CREATE TABLE series (id VARCHAR, key VARCHAR, step DOUBLE, value DOUBLE)`,
  `CREATE TABLE tags (id VARCHAR, tag VARCHAR)`,
  `CREATE TABLE env (id VARCHAR, key VARCHAR, value VARCHAR)`,
  `CREATE TABLE inputs (id VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT, info VARCHAR)`,
  `CREATE TABLE outputs (id VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT, info VARCHAR)`,
  `CREATE TABLE annotations (id VARCHAR, op VARCHAR, happened_at TIMESTAMP, by_name VARCHAR, by_email VARCHAR, tag VARCHAR, name VARCHAR, text VARCHAR, event VARCHAR)`,
  `CREATE TABLE keys (kind VARCHAR, key VARCHAR, type VARCHAR, experiments BIGINT)`,
  `CREATE TABLE runs (id VARCHAR)`,
  // What experiment.json said before annotations: needed to fold tag/rename events again.
  `CREATE TABLE _recorded (id VARCHAR, name VARCHAR, tags VARCHAR[])`,
  // Experiments with a delete event, and ones that failed their schema: known, not shown.
  `CREATE TABLE _hidden (id VARCHAR PRIMARY KEY, reason VARCHAR, detail VARCHAR)`,
  `CREATE TABLE _meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  // Loose experiment refs seen by the last sync: with packed-refs unchanged, the new ones
  // are all an update has to read (see looseExperimentRefs).
  `CREATE TABLE _loose_refs (name VARCHAR)`,
];

/** Tables holding one experiment's rows, keyed by `id`: what removing an experiment clears. */
export const PER_EXPERIMENT_TABLES = ["experiments", "params", "metrics", "series", "tags", "env", "inputs", "outputs", "runs", "_recorded"];

import { resolve } from "node:path";
import type { IndexDatabase } from "../index/database.js";
import type { ExperimentIndex, IndexOptions } from "../index/experiment-index.js";
import type { IndexSession } from "../index/session.js";
import type { SyncReport } from "../index/sync.js";
import { ExperimentStore } from "../store/experiment-store.js";
import { openRepository, type Repository } from "../store/repository.js";
import { shortId } from "../core/ids.js";

/** A bar for work that takes a while (indexing); the CLI draws it on a terminal's stderr. */
export interface ProgressSink {
  update(done: number, total: number): void;
  finish(): void;
}

/** Where a behaviour tells the person running it what happened beside its result. */
export interface WorkspaceSinks {
  /** One line, no newline: `note` for information, `warning` for something left out or odd. */
  message?: (kind: "note" | "warning", text: string) => void;
  /** A progress bar for a named piece of work. */
  progress?: (label: string) => ProgressSink;
}

/**
 * What a long-lived process (the resident index process) keeps open across commands: the
 * repository found from a folder, the store with its git reader, the index. A workspace given
 * one asks it instead of opening its own, and closes none of it.
 */
export interface SharedIndex {
  repo(cwd: string): Promise<Repository>;
  store(repo: Repository): ExperimentStore;
  db(repo: Repository, options: IndexOptions): Promise<{ db: IndexDatabase; lastSync?: SyncReport }>;
}

export interface WorkspaceOptions extends WorkspaceSinks {
  /** The index of a process that keeps it open (default: each workspace opens its own). */
  sharedIndex?: SharedIndex;
  /** The directory the repository is found from (default: the process's). */
  cwd?: string;
  /** The environment git and the run engine see (default: the process's). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch (default Date.now): the time of events written. */
  now?: () => number;
}

export interface IndexRequest {
  /** Let user SQL read and write files (DuckDB's enable_external_access). */
  allowFiles?: boolean;
}

export type { ExperimentStore, Repository };

const QUIET: ProgressSink = { update: () => undefined, finish: () => undefined };

/**
 * What every api function works in: one repository, found from a directory, with its store
 * and its index opened the first time a behaviour asks for them (a command that never
 * queries never loads DuckDB, ~190 ms), the environment, the clock, and the sinks for notes
 * and progress. Built once per command by the CLI; a library user builds one per repository
 * and closes it when done.
 */
export class Workspace {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly clock: () => number;
  private readonly sinks: WorkspaceSinks;
  private readonly sharedIndex: SharedIndex | undefined;
  private repoP: Promise<Repository> | undefined;
  private storeV: ExperimentStore | undefined;
  private readonly indexes = new Map<boolean, Promise<ExperimentIndex>>();
  private readonly closers: (() => void | Promise<void>)[] = [];
  private session: IndexSession | undefined;

  constructor(options: WorkspaceOptions = {}) {
    this.cwd = options.cwd ?? process.cwd();
    this.env = options.env ?? process.env;
    this.clock = options.now ?? Date.now;
    this.sinks = { message: options.message, progress: options.progress };
    this.sharedIndex = options.sharedIndex;
  }

  /** A path the user typed, relative to the workspace's directory. */
  path(p: string): string {
    return resolve(this.cwd, p);
  }

  now(): number {
    return this.clock();
  }

  note(text: string): void {
    this.sinks.message?.("note", text);
  }

  warn(text: string): void {
    this.sinks.message?.("warning", text);
  }

  progress(label: string): ProgressSink {
    return this.sinks.progress?.(label) ?? QUIET;
  }

  repo(): Promise<Repository> {
    this.repoP ??= this.sharedIndex ? this.sharedIndex.repo(this.cwd) : openRepository(this.cwd, this.env);
    return this.repoP;
  }

  async store(): Promise<ExperimentStore> {
    const repo = await this.repo();
    this.storeV ??= this.sharedIndex ? this.sharedIndex.store(repo) : new ExperimentStore(repo);
    return this.storeV;
  }

  /** The index, not yet opened or synced (`index` and `ui` drive it themselves). */
  index(request: IndexRequest = {}): Promise<ExperimentIndex> {
    const key = Boolean(request.allowFiles);
    let p = this.indexes.get(key);
    if (!p) {
      p = this.makeIndex(request);
      this.indexes.set(key, p);
    }
    return p;
  }

  /** A read-only handle on the index brought up to date with the refs; what sync left out is told as warnings. */
  async db(request: IndexRequest = {}): Promise<IndexDatabase> {
    if (this.sharedIndex && !request.allowFiles) {
      const { db, lastSync } = await this.sharedIndex.db(await this.repo(), await this.indexOptions(request));
      if (lastSync) this.reportSync(lastSync);
      return db;
    }
    const index = await this.index(request);
    const db = await index.open();
    if (index.lastSync) this.reportSync(index.lastSync);
    return db;
  }

  /**
   * Ask the index: the one way api functions reach it. In a command, on the handle db()
   * opens; in a long-lived workspace (serve()), one question at a time on a session that
   * follows the refs and lets go of the index when idle. `fn` must not ask again inside.
   */
  query<T>(fn: (db: IndexDatabase) => Promise<T>, request: IndexRequest = {}): Promise<T> {
    if (this.session) return this.session.use(fn);
    return this.db(request).then(fn);
  }

  /**
   * Make this a workspace for a long-lived process (the dashboard): the index is brought up
   * to date now, and later questions go through a session. Returns the experiments indexed.
   */
  async serve(): Promise<{ experiments: number; fingerprint: () => string; stop: () => Promise<void> }> {
    const index = await this.index();
    const report = await index.sync();
    index.close();
    const { IndexSession } = await import("../index/session.js");
    const session = new IndexSession(await this.repo(), await this.indexOptions());
    this.session = session;
    const stop = async (): Promise<void> => {
      if (this.session === session) this.session = undefined;
      await session.close();
    };
    this.onClose(stop);
    return { experiments: report.total, fingerprint: () => session.fingerprint(), stop };
  }

  /** Lock timeout from the environment, notes and progress through the sinks. */
  async indexOptions(request: IndexRequest = {}): Promise<IndexOptions> {
    const { defaultTimeoutMs } = await import("../index/experiment-index.js");
    const progress = this.progress("indexing experiments");
    return {
      timeoutMs: defaultTimeoutMs(this.env),
      onNote: (m) => this.note(m),
      onProgress: (done, total) => {
        progress.update(done, total);
        if (done === total) progress.finish();
      },
      allowFiles: request.allowFiles,
    };
  }

  reportSync(report: SyncReport): void {
    for (const s of report.skipped) this.warn(`experiment ${shortId(s.id)} left out of the index: ${s.reason}`);
    for (const ref of report.corruptRefs) this.warn(`${ref} does not name its target: corrupt ref, ignored`);
  }

  private async makeIndex(request: IndexRequest): Promise<ExperimentIndex> {
    // git finds the repository while DuckDB's binding loads (~50 ms each, side by side).
    const repo = this.repo();
    repo.catch(() => undefined);
    const { ExperimentIndex } = await import("../index/experiment-index.js");
    const index = new ExperimentIndex(await repo, await this.indexOptions(request));
    this.onClose(() => index.close());
    return index;
  }

  /** A cleanup for something opened in this workspace (a server, a session), run by close(). */
  onClose(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  /** Close what was opened; the workspace can be used again afterwards (it reopens lazily). */
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn();
    this.indexes.clear();
    if (!this.sharedIndex) await this.storeV?.close();
    this.storeV = undefined;
  }
}

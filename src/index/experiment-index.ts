import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IndexBusyError, EnvironmentError, UsageError } from "../core/errors.js";
import type { Repository } from "../store/repository.js";
import { IndexDatabase, isLockError } from "./database.js";
import { refsFingerprint, type Fingerprint } from "./fingerprint.js";
import { releaseResidents } from "./resident.js";
import { holderAlive, takeLock } from "./write-lock.js";
import { INDEX_FORMAT, SCHEMA } from "./schema.js";
import { readMeta, storedFingerprint, syncInto, type SyncReport } from "./sync.js";

export interface IndexOptions {
  /** How long to wait for another process holding the index (default GIT_EXP_LOCK_TIMEOUT s, else 30 s). */
  timeoutMs?: number;
  /** Notes for the user (rebuilt index, stale read): the CLI prints them on stderr. */
  onNote?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Let user SQL read and write files (DuckDB's enable_external_access). */
  allowFiles?: boolean;
}

export interface IndexStatus {
  path: string;
  exists: boolean;
  format: number | null;
  bytes: number;
  experiments: number;
  hidden: { deleted: number; invalid: { id: string; reason: string }[] };
  syncedAt: string | null;
  upToDate: boolean;
}

/** GIT_EXP_INDEX_MEMORY, checked: a size DuckDB takes ("512MB", "2GB"), or undefined for the default. */
export function writerMemory(env: NodeJS.ProcessEnv): string | undefined {
  const v = env["GIT_EXP_INDEX_MEMORY"]?.trim();
  if (!v) return undefined;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v)) {
    throw new UsageError(`GIT_EXP_INDEX_MEMORY is '${v}': give a size such as 512MB or 2GB (the memory DuckDB may use while it writes the index)`);
  }
  return v;
}

export function defaultTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env["GIT_EXP_LOCK_TIMEOUT"]);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 30_000;
}

/**
 * The DuckDB index of one repository: `<git dir>/exp/index.duckdb`. Readers get a
 * read-only handle on an up-to-date index; updates happen on a short-lived read-write
 * handle (DuckDB allows one writer process), full builds aside and swapped in by rename,
 * so concurrent git-exp processes wait or read the previous snapshot, never fail.
 */
export class ExperimentIndex {
  readonly path: string;
  private readonly timeoutMs: number;
  private reader: IndexDatabase | undefined;
  lastSync: SyncReport | undefined;

  constructor(
    readonly repo: Repository,
    private readonly options: IndexOptions = {},
  ) {
    this.path = join(repo.expDir, "index.duckdb");
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs();
  }

  private note(message: string): void {
    this.options.onNote?.(message);
  }

  /**
   * A read-only handle on an up-to-date index, opened once and kept until close(). When the
   * index cannot be written (a full disk, a read-only .git, a folder in its place), the
   * answer comes from the refs instead, through an index built in memory: slower, still
   * complete; a note says what to fix.
   */
  async open(): Promise<IndexDatabase> {
    if (this.reader) return this.reader;
    try {
      return await this.openSynced();
    } catch (e) {
      const why = cannotWrite(e, this.path);
      if (!why) throw e;
      this.note(`${why}; answering from the experiment refs instead (slower)`);
      try {
        this.reader = await this.openFromRefs();
      } catch (inner) {
        throw new EnvironmentError(`${why}, and answering from the refs failed too: ${firstLine(inner)}`, { cause: inner });
      }
      return this.reader;
    }
  }

  private async openSynced(): Promise<IndexDatabase> {
    const state = await this.examine();
    if (state.kind === "current") {
      // The common case costs one read-only open and a stat of the refs.
      this.lastSync = { ...emptyReport(), total: state.experiments };
      this.reader = state.db;
      return state.db;
    }
    await this.apply(state);
    this.reader = await this.openReader();
    return this.reader;
  }

  /**
   * The whole index built in memory from the refs, touching no file: rows appended
   * directly (no batch files), then file access locked off as on a read-only handle.
   */
  private async openFromRefs(): Promise<IndexDatabase> {
    const db = await IndexDatabase.open(":memory:", { readOnly: false, timeoutMs: this.timeoutMs });
    try {
      for (const ddl of SCHEMA) await db.run(ddl);
      const report = await syncInto(db, this.repo, { fingerprint: refsFingerprint(this.repo), full: true, onProgress: this.options.onProgress, noFiles: true });
      this.lastSync = { ...report, upToDate: true };
      if (!this.options.allowFiles) {
        await db.run("SET enable_external_access = false");
        await db.run("SET lock_configuration = true");
      }
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private openReader(): Promise<IndexDatabase> {
    return IndexDatabase.open(this.path, { readOnly: true, timeoutMs: this.timeoutMs, allowFiles: this.options.allowFiles });
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  /** Bring the index up to date; with `rebuild`, from scratch. Exit 4 when it cannot be written. */
  async sync(rebuild = false): Promise<SyncReport> {
    try {
      return await this.syncFile(rebuild);
    } catch (e) {
      const why = cannotWrite(e, this.path);
      if (!why) throw e;
      throw new EnvironmentError(`${why}; reading commands still answer, from the experiment refs (slower)`, { cause: e });
    }
  }

  private async syncFile(rebuild: boolean): Promise<SyncReport> {
    this.close();
    const state = rebuild ? { kind: "rebuild" as const, reason: undefined } : await this.examine();
    if (state.kind === "current") {
      state.db.close();
      this.lastSync = { ...emptyReport(), total: state.experiments };
      return this.lastSync;
    }
    return this.apply(state);
  }

  private async apply(state: { kind: "update" } | { kind: "rebuild"; reason?: string }): Promise<SyncReport> {
    if (state.kind === "rebuild") {
      if (state.reason) this.note(`${state.reason}; rebuilding it from the experiment refs (nothing is lost)`);
      this.lastSync = { ...(await this.buildAside()), rebuildReason: state.reason };
      return this.lastSync;
    }
    const report = await this.updateInPlace();
    if (report) return (this.lastSync = report);
    // Not an index of this format, or not writable (a hint may send any file here): look
    // at it as a reader does, and rebuild what cannot be updated.
    const looked = await this.inspect(refsFingerprint(this.repo).value);
    if (looked.kind === "rebuild") return this.apply(looked);
    if (looked.kind === "update") return this.apply({ kind: "rebuild", reason: "the index could not be opened for writing" });
    looked.db.close();
    return (this.lastSync = { ...emptyReport(), total: looked.experiments });
  }

  /**
   * What the index needs. The hint beside it says which refs fingerprint it was last synced
   * to: when the refs moved since, the update opens the file for writing straight away
   * instead of opening it once more to read that from `_meta` (~25 ms at 100,000).
   */
  private async examine(): Promise<Awaited<ReturnType<ExperimentIndex["inspect"]>>> {
    // Not damage to rebuild: nothing can be put in its place (cannotWrite says what to do).
    if (statSync(this.path, { throwIfNoEntry: false })?.isDirectory()) throw new EnvironmentError(`${this.path} is a folder`);
    const fingerprint = refsFingerprint(this.repo).value;
    const hint = readHint(this.hintPath);
    if (hint !== null && existsSync(this.path) && hint !== fingerprint) return { kind: "update" };
    return this.inspect(fingerprint);
  }

  private get hintPath(): string {
    return `${this.path}.synced`;
  }

  /** Is the index there, of our format, readable, and current for this fingerprint? */
  private async inspect(
    fingerprint: string,
  ): Promise<{ kind: "current"; experiments: number; db: IndexDatabase } | { kind: "update" } | { kind: "rebuild"; reason?: string }> {
    if (!existsSync(this.path)) return { kind: "rebuild" };
    let db: IndexDatabase;
    try {
      db = await this.openReader();
    } catch (e) {
      if (e instanceof IndexBusyError) throw e;
      return { kind: "rebuild", reason: `the index ${this.path} is damaged (${firstLine(e)})` };
    }
    let keep = false;
    try {
      const meta = await readMeta(db);
      if (meta["format"] !== String(INDEX_FORMAT)) {
        return { kind: "rebuild", reason: `the index has format ${meta["format"] ?? "unknown"}, this git-exp uses ${INDEX_FORMAT}` };
      }
      if (meta["fingerprint"] !== fingerprint) return { kind: "update" };
      // Reading the count proves the tables are readable, not just the catalog.
      const experiments = Number(await db.value("SELECT count(*) FROM experiments"));
      keep = true;
      return { kind: "current", experiments, db };
    } catch (e) {
      return { kind: "rebuild", reason: `the index ${this.path} is damaged (${firstLine(e)})` };
    } finally {
      if (!keep) db.close();
    }
  }

  /**
   * Incremental update on the live file, holding the write lock only while it runs; null
   * when the file cannot be opened or is not an index of this format.
   */
  private async updateInPlace(): Promise<SyncReport | null> {
    const release = await this.writeLock(Math.min(this.timeoutMs, UPDATE_WAIT_MS));
    if (!release) return this.busy();
    try {
      return await this.updateLocked();
    } finally {
      release();
    }
  }

  /** Readers hold the file, or a build runs: answer from the snapshot rather than fail. */
  private busy(): SyncReport {
    this.note("the index is busy in another git-exp process; answering from the last indexed state");
    return { ...emptyReport(), upToDate: false };
  }

  private async updateLocked(): Promise<SyncReport | null> {
    let db: IndexDatabase;
    try {
      db = await this.openForWriting(this.path);
    } catch (e) {
      return e instanceof IndexBusyError ? this.busy() : null;
    }
    let report: SyncReport | null = null;
    // Taken before listing refs: a ref created meanwhile makes the next command look again.
    const fingerprint = refsFingerprint(this.repo);
    try {
      const meta = await readMeta(db).catch(() => null);
      if (meta?.["format"] !== String(INDEX_FORMAT)) return null;
      report = await syncInto(db, this.repo, { fingerprint, full: false, onProgress: this.options.onProgress, meta });
      if (walBytes(this.path) < WAL_CHECKPOINT_BYTES) await db.skipCheckpointOnClose();
      return report;
    } finally {
      db.close();
      if (report) writeHint(this.hintPath, storedFingerprint(fingerprint));
    }
  }

  /**
   * Build a whole index in a temporary file and rename it into place: readers of the old
   * file keep their snapshot, and a crash leaves no half-built index behind.
   */
  private async buildAside(): Promise<SyncReport> {
    this.ensureDir();
    const release = await this.writeLock(this.timeoutMs);
    if (!release) {
      throw new IndexBusyError(
        `another git-exp process has been writing the index for over ${Math.round(this.timeoutMs / 1000)} s; try again when it is done (if no git-exp is running, delete ${this.path}.lock)`,
      );
    }
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      this.removeStaleBuilds();
      const db = await IndexDatabase.open(tmp, { readOnly: false, timeoutMs: this.timeoutMs, memoryLimit: writerMemory(this.repo.env) });
      let report: SyncReport;
      let fingerprint: Fingerprint;
      try {
        for (const ddl of SCHEMA) await db.run(ddl);
        fingerprint = refsFingerprint(this.repo);
        report = await syncInto(db, this.repo, { fingerprint, full: true, onProgress: this.options.onProgress });
        await db.run("CHECKPOINT");
      } finally {
        db.close();
      }
      // Just before the swap: a resident process still holding the old file would keep reading it.
      await releaseResidents(this.repo.expDir, this.timeoutMs);
      rmSync(`${this.path}.wal`, { force: true });
      renameSync(tmp, this.path);
      writeHint(this.hintPath, storedFingerprint(fingerprint));
      return report;
    } finally {
      for (const f of [tmp, `${tmp}.wal`]) rmSync(f, { force: true });
      release();
    }
  }

  /**
   * Open the live file for writing, asking any resident index process to let go first, and
   * again each second while the file stays held (one may have reopened it for a command in
   * between); IndexBusyError past the lock timeout, as without one.
   */
  private async openForWriting(path: string): Promise<IndexDatabase> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      await releaseResidents(this.repo.expDir, Math.max(0, deadline - Date.now()));
      const left = deadline - Date.now();
      try {
        return await IndexDatabase.open(path, { readOnly: false, timeoutMs: Math.max(0, Math.min(left, 1000)), memoryLimit: writerMemory(this.repo.env) });
      } catch (e) {
        if (!(e instanceof IndexBusyError) || left <= 1000) throw e;
      }
    }
  }

  /** Only the holder of the build lock builds: any other build file is a killed build's. */
  private removeStaleBuilds(): void {
    const prefix = `${basename(this.path)}.tmp-`;
    for (const f of readdirSync(dirname(this.path))) if (f.startsWith(prefix)) rmSync(join(dirname(this.path), f), { force: true });
  }

  private ensureDir(): void {
    try {
      mkdirSync(this.repo.expDir, { recursive: true });
    } catch (e) {
      throw new EnvironmentError(`cannot create ${this.repo.expDir}: check the permissions of the repository's .git folder`, { cause: e });
    }
  }

  /**
   * One writer at a time, a full build or an update: a lock file holding the writer's pid.
   * DuckDB's own lock covers one file, and a build swaps the file: an update still writing
   * the old one would leave its log beside the new one, where the next open replays it.
   * Null when another writer holds it past `waitMs`; a lock left by a dead process is taken over.
   */
  private async writeLock(waitMs: number): Promise<(() => void) | null> {
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + waitMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 250)) {
      if (takeLock(lock)) return () => rmSync(lock, { force: true });
      if (!holderAlive(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() + wait > deadline) return null;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async status(): Promise<IndexStatus> {
    const exists = existsSync(this.path);
    const out: IndexStatus = {
      path: this.path,
      exists,
      format: null,
      bytes: exists ? statSync(this.path).size : 0,
      experiments: 0,
      hidden: { deleted: 0, invalid: [] },
      syncedAt: null,
      upToDate: false,
    };
    if (!exists) return out;
    const fp = refsFingerprint(this.repo);
    const db = await this.openReader();
    try {
      const meta = await readMeta(db);
      out.format = Number(meta["format"]);
      out.syncedAt = meta["synced_at"] ?? null;
      out.upToDate = meta["fingerprint"] === fp.value;
      out.experiments = Number(await db.value("SELECT count(*) FROM experiments"));
      out.hidden.deleted = Number(await db.value("SELECT count(*) FROM _hidden WHERE reason = 'deleted'"));
      out.hidden.invalid = (await db.rows("SELECT id, detail FROM _hidden WHERE reason = 'invalid' ORDER BY id")).map((r) => ({
        id: String(r["id"]),
        reason: String(r["detail"]),
      }));
    } finally {
      db.close();
    }
    return out;
  }
}

/**
 * Closing a written database checkpoints its log into the file: ~50 ms at 100,000
 * experiments however small the change (each table touched costs ~10 ms). An update that
 * leaves a small log skips that; the next writer checkpoints both. Replaying a log costs
 * every later open ~1 ms per KiB, so only about one new run's log (~6-8 KiB) is ever left.
 */
const WAL_CHECKPOINT_BYTES = 12 * 1024;

/** How long an update waits for another writer (a full build takes seconds) before answering from the snapshot. */
const UPDATE_WAIT_MS = 3000;

/** The hint: index format and stored fingerprint, or null when absent or of another format. */
function readHint(path: string): string | null {
  try {
    const [format, fingerprint] = readFileSync(path, "utf8").split("\n");
    return format === String(INDEX_FORMAT) ? (fingerprint ?? "") : null;
  } catch {
    return null;
  }
}

/** Best effort: without the hint, the next command reads the fingerprint from the index. */
function writeHint(path: string, fingerprint: string): void {
  try {
    writeFileSync(`${path}.tmp-${process.pid}`, `${INDEX_FORMAT}\n${fingerprint}`);
    renameSync(`${path}.tmp-${process.pid}`, path);
  } catch {
    rmSync(`${path}.tmp-${process.pid}`, { force: true });
  }
}

function walBytes(path: string): number {
  return statSync(`${path}.wal`, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Why the index cannot be written, said with what to do, or undefined for any other failure
 * (damage and locks have their own paths).
 */
function cannotWrite(e: unknown, path: string): string | undefined {
  if (e instanceof IndexBusyError) return undefined;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() || code === "EISDIR" || /Is a directory/i.test(msg)) {
    return `the index ${path} is a folder, not a file: move it away (rm -r '${path}') and git exp rebuilds the index there`;
  }
  if (code === "ENOSPC" || code === "EDQUOT" || /No space left|quota exceeded/i.test(msg)) {
    return `the disk holding ${dirname(path)} is full, so the index cannot be updated: free some space there`;
  }
  if (code === "EROFS" || code === "EACCES" || code === "EPERM" || /Read-only file system|Permission denied/i.test(msg)) {
    return `the index ${path} cannot be written (${code ?? firstLine(e)}): let this user write ${dirname(path)}, or run git exp where the repository is writable`;
  }
  return undefined;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);
}

function emptyReport(): SyncReport {
  return { added: 0, removed: 0, updated: 0, skipped: [], corruptRefs: [], total: 0, rebuilt: false, upToDate: true };
}

export { isLockError };

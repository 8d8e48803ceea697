import type { Repository } from "../store/repository.js";
import type { IndexDatabase } from "./database.js";
import { ExperimentIndex, type IndexOptions } from "./experiment-index.js";
import { refsFingerprint } from "./fingerprint.js";
import { readMeta, type SyncReport } from "./sync.js";

export interface SessionOptions extends IndexOptions {
  /** Close the index after this long without a question, so other git-exp processes can update it (default 2 s). */
  idleMs?: number;
}

/**
 * The index for a long-lived process (the dashboard): questions run one at a time on a
 * read-only handle that is reopened, and so brought up to date, whenever the experiment refs
 * or annotations change, and closed when idle, because an open handle keeps every other
 * git-exp process from updating the index.
 */
export class IndexSession {
  private index: ExperimentIndex | undefined;
  private db: IndexDatabase | undefined;
  private openedAt = "";
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;
  private readonly idleMs: number;

  constructor(
    readonly repo: Repository,
    private readonly options: SessionOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 2000;
  }

  /** Changes whenever an experiment ref or an annotation changes; a few stat calls. */
  fingerprint(): string {
    return refsFingerprint(this.repo).value;
  }

  use<T>(fn: (db: IndexDatabase) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.runOne(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runOne<T>(fn: (db: IndexDatabase) => Promise<T>): Promise<T> {
    clearTimeout(this.idle);
    try {
      return await fn((await this.current()).db);
    } finally {
      this.idle = setTimeout(() => void this.use(async () => this.closeNow()), this.idleMs);
      this.idle.unref();
    }
  }

  /**
   * The handle, reopened (and so brought up to date) when the refs moved, with what the update
   * did then. For a caller that asks one question at a time itself (the resident index
   * process); others go through use().
   */
  async current(): Promise<{ db: IndexDatabase; lastSync?: SyncReport }> {
    const fp = this.fingerprint();
    if (this.db && fp === this.openedAt) return { db: this.db };
    this.closeNow();
    const index = new ExperimentIndex(this.repo, this.options);
    this.db = await index.open();
    this.index = index;
    // A snapshot (another process held the index) or a racy fingerprint: look again next time.
    this.openedAt = (await readMeta(this.db))["fingerprint"] === fp ? fp : "";
    return { db: this.db, lastSync: index.lastSync };
  }

  /** Close the handle now (a writer in another process asked); the next question reopens it. */
  closeNow(): void {
    this.index?.close();
    this.index = undefined;
    this.db = undefined;
  }

  /** Close now; a later question opens the index again. */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    await this.use(async () => this.closeNow());
  }
}

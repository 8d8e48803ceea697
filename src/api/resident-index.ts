import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { IndexOptions } from "../index/experiment-index.js";
import { residentsDir } from "../index/resident.js";
import { IndexSession } from "../index/session.js";
import { ExperimentStore } from "../store/experiment-store.js";
import { openRepository, type Repository } from "../store/repository.js";
import type { SharedIndex } from "./workspace.js";

/** What the resident process holds open between commands, and how it lets go of it. */
export interface ResidentIndex {
  /** Handed to each command's workspace in place of opening its own. */
  shared: SharedIndex;
  /** The git folders whose index is held (the process ends when one is deleted). */
  gitDirs(): string[];
  /** Close every index now, for a writer in another process; reopened on the next command. */
  release(): void;
  /** After a failed command: found again from scratch next time (a damaged index rebuilt, a git reader gone). */
  forget(): Promise<void>;
  /** Release, and remove the notes that told writers where this process listens. */
  close(): void;
}

/**
 * The index, repositories and git readers of a resident index process listening on
 * `socketPath`, kept across the commands it runs one at a time.
 */
export function residentIndex(socketPath: string, idleMs: number): ResidentIndex {
  const sessions = new Map<string, IndexSession>();
  const notes: string[] = [];
  // Starting git from this process costs tens of ms (a fork of a large process): the
  // repository a folder names and the store's git reader are kept too.
  const repos = new Map<string, Promise<Repository>>();
  const stores = new Map<string, ExperimentStore>();
  // Notes and progress go to whichever command is running now.
  let sink: { note: (m: string) => void; progress?: IndexOptions["onProgress"] } = { note: () => undefined };
  const shared: SharedIndex = {
    repo: (cwd) => {
      let repo = repos.get(cwd);
      if (!repo) {
        repo = openRepository(cwd);
        repos.set(cwd, repo);
        repo.catch(() => repos.delete(cwd));
      }
      return repo;
    },
    store: (repo) => {
      let store = stores.get(repo.gitDir);
      if (!store) stores.set(repo.gitDir, (store = new ExperimentStore(repo)));
      return store;
    },
    db: (repo: Repository, options: IndexOptions) => {
      let session = sessions.get(repo.gitDir);
      if (!session) {
        session = new IndexSession(repo, {
          timeoutMs: options.timeoutMs,
          onNote: (m) => sink.note(m),
          onProgress: (done, total) => sink.progress?.(done, total),
          idleMs: idleMs * 2,
        });
        sessions.set(repo.gitDir, session);
        // Writers in other processes find this process here and ask it to let go of the index.
        const note = join(residentsDir(repo.expDir), String(process.pid));
        mkdirSync(dirname(note), { recursive: true });
        writeFileSync(note, socketPath);
        notes.push(note);
      }
      sink = { note: options.onNote ?? (() => undefined), progress: options.onProgress };
      return session.current();
    },
  };
  const release = (): void => {
    for (const s of sessions.values()) s.closeNow();
  };
  return {
    shared,
    gitDirs: () => [...sessions.keys()],
    release,
    forget: async () => {
      release();
      repos.clear();
      await Promise.all([...stores.values()].map((s) => s.close().catch(() => undefined)));
      stores.clear();
    },
    close: () => {
      release();
      for (const note of notes) rmSync(note, { force: true });
    },
  };
}

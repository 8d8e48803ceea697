import { openRepository } from "../store/repository.js";
import { ExperimentIndex, type IndexOptions } from "./experiment-index.js";
import type { IndexDatabase } from "./database.js";
import { runUserSql, type QueryResult } from "./user-sql.js";

export interface QueryOptions extends IndexOptions {
  /** A directory inside the repository (default: the process's working directory). */
  cwd?: string;
}

/**
 * Run a function on an up-to-date, read-only index of the repository and close it after,
 * so a long-lived program never blocks other git-exp processes between calls.
 */
export async function withIndex<T>(fn: (db: IndexDatabase, index: ExperimentIndex) => Promise<T>, options: QueryOptions = {}): Promise<T> {
  const index = new ExperimentIndex(await openRepository(options.cwd), options);
  try {
    return await fn(await index.open(), index);
  } finally {
    index.close();
  }
}

/** `import { query } from "git-exp"`: read-only SQL over the experiments of a repository. */
export function query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
  return withIndex((db) => runUserSql(db, sql), options);
}

import { checkTimeout, runUserSql, type QueryResult } from "../index/user-sql.js";
import type { Workspace } from "./workspace.js";

export type { QueryResult };

export interface SqlRequest {
  query: string;
  /** Let the SQL read and write files, ATTACH databases and INSTALL extensions (off: read-only on the index alone). */
  allowFiles?: boolean;
  /** Stop the query after this many seconds (default 60; 0 for no limit). */
  timeoutS?: number;
}

/** `git exp sql`: a user's SQL over the index, read-only. */
export async function sql(ws: Workspace, req: SqlRequest): Promise<QueryResult> {
  // checked before the index is opened (and brought up to date): bad input writes nothing
  const timeoutS = checkTimeout(req.timeoutS);
  return ws.query((db) => runUserSql(db, req.query, { timeoutS }), { allowFiles: req.allowFiles });
}

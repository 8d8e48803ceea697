import { runUserSql, type QueryResult } from "../index/user-sql.js";
import type { Workspace } from "./workspace.js";

export type { QueryResult };

export interface SqlRequest {
  query: string;
  /** Let the SQL read and write files, ATTACH databases and INSTALL extensions (off: read-only on the index alone). */
  allowFiles?: boolean;
}

/** `git exp sql`: a user's SQL over the index, read-only. */
export function sql(ws: Workspace, req: SqlRequest): Promise<QueryResult> {
  return ws.query((db) => runUserSql(db, req.query), { allowFiles: req.allowFiles });
}

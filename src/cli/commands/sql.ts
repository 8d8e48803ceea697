import { renderJson, renderRows, type Row } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { optNumber, outputFormat, withFormat } from "../options.js";

export const sqlCommand = defineCommand({
  command: "sql <query>",
  describe: "run read-only SQL over the index (tables: experiments, params, metrics, series, tags, env, inputs, outputs, runs)",
  builder: (y) =>
    withFormat(y)
      .positional("query", { type: "string", describe: "SQL, e.g. \"SELECT name, \\\"metrics.val.acc\\\" FROM runs ORDER BY 2 DESC LIMIT 5\"" })
      .option("allow-files", { type: "boolean", describe: "let the SQL read and write files, ATTACH databases and INSTALL extensions" })
      .option("timeout", { type: "string", describe: "stop the query after this many seconds (default 60; 0 for no limit)" })
      .example("git exp sql \"SELECT name, \\\"metrics.val.acc\\\" FROM runs ORDER BY 2 DESC LIMIT 5\"", "one row per experiment, a column per param and metric")
      .example("git exp sql \"SELECT step, avg(value) FROM series WHERE key = 'loss' GROUP BY 1 ORDER BY 1\" --format csv", ""),
  run: async (args, ctx) => {
    const { sql } = await import("../../api/sql.js");
    const result = await sql(ctx.ws, { query: String(args.query ?? ""), allowFiles: Boolean(args["allow-files"]), timeoutS: optNumber(args.timeout, "timeout") });
    const format = outputFormat(args);
    if (format === "json") ctx.io.stdout(renderJson(result.rows));
    else ctx.io.stdout(renderRows(format, result.columns, result.rows.map((r) => cells(r)), ctx.io.columns));
    // An empty table prints nothing at all: say that the query ran and found nothing.
    if (format === "table" && result.rows.length === 0) ctx.io.stderr(`no rows (columns: ${result.columns.join(", ")})\n`);
    return 0;
  },
});

/** Lists and structs as JSON text in a cell. */
function cells(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k] = v !== null && typeof v === "object" ? JSON.stringify(v) : (v as Row[string]);
  return out;
}

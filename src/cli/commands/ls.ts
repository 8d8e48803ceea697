import type { SearchOptions } from "../../analysis/search.js";
import { renderJson, renderRows } from "../../report/format.js";
import type { CommandDef } from "../context.js";
import { openIndex } from "../index-handle.js";
import { optString, outputFormat, positiveInt, selectionOf, strings, withFormat, withSelection } from "../options.js";

export const lsCommand: CommandDef = {
  command: "ls",
  describe: "list experiments, newest first; filter with --where, sort, limit",
  builder: (y) =>
    withSelection(withFormat(y))
      .option("sort", { type: "string", describe: "sort key, e.g. metrics.val.acc; -KEY or 'KEY desc' for descending" })
      .option("limit", { alias: "n", type: "string", describe: "show at most N experiments" })
      .option("columns", { type: "string", array: true, describe: "columns to show, comma-separated: id,name,params.lr,metrics.acc,tags,..." })
      .example("git exp ls --where \"params.lr < 0.01 and metrics.val.acc >= 0.9\" --sort -metrics.val.acc -n 5", "")
      .example("git exp ls --tag baseline --since 7d --columns id,name,params.lr,metrics.loss", ""),
  run: async (args, ctx) => {
    const options: SearchOptions = {
      ...selectionOf(args),
      sort: optString(args["sort"]),
      limit: positiveInt(args["limit"], "limit"),
      columns: strings(args["columns"]).flatMap((c) => c.split(",")).map((c) => c.trim()).filter(Boolean),
    };
    const format = outputFormat(args);
    options.withParams = format === "json";
    const { searchExperiments } = await import("../../analysis/search.js");
    const { experimentRows } = await import("../../report/experiments.js");
    const { db } = await openIndex(ctx);
    const result = await searchExperiments(db, options);
    if (format === "json") {
      ctx.io.stdout(renderJson(result.experiments));
      return 0;
    }
    if (result.experiments.length === 0 && format === "table") {
      ctx.io.stderr(options.where || options.tags?.length || options.since || options.branch || options.status
        ? "no experiments match\n"
        : "no experiments yet: record one with 'git exp record --config c.json --results r.json'\n");
    }
    const rows = experimentRows(result.experiments, result.columns, format !== "table");
    ctx.io.stdout(renderRows(format, result.columns, rows, ctx.io.columns));
    return 0;
  },
};

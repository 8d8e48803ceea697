import type { Bucket } from "../../analysis/trend.js";
import { UsageError } from "../../core/errors.js";
import { renderJson, renderRows } from "../../report/format.js";
import type { CommandDef } from "../context.js";
import { openIndex } from "../index-handle.js";
import { optString, outputFormat, withFormat, withSelection, selectionOf } from "../options.js";
import { directionOf, withDirection } from "./top.js";

export const trendCommand: CommandDef = {
  command: "trend <metric>",
  describe: "how a metric moved: per day/week/month, or per commit along a branch",
  builder: (y) =>
    withDirection(withSelection(withFormat(y)))
      .positional("metric", { type: "string", describe: "metric key, e.g. val.acc" })
      .option("every", { type: "string", choices: ["day", "week", "month"], describe: "time bucket (default day, UTC)" })
      .option("along", { type: "string", describe: "walk this branch's first-parent history: the best experiment per commit" })
      .example("git exp trend val.acc --along main", "per commit of main, the best val.acc run on it"),
  run: async (args, ctx) => {
    const { trendAlong, trendOverTime } = await import("../../analysis/trend.js");
    const { trendHeadline, trendTable } = await import("../../report/experiments.js");
    const options = { ...selectionOf(args), metric: String(args["metric"]), direction: directionOf(args), every: args["every"] as Bucket | undefined };
    const along = optString(args["along"]);
    if (along !== undefined && args["every"] !== undefined) throw new UsageError("--along walks commits, --every buckets time: give one or the other");
    let history;
    if (along !== undefined) {
      const { branchHistory } = await import("../../store/history.js");
      history = await branchHistory(await ctx.repo(), along);
    }
    const { db } = await openIndex(ctx);
    const trend = along !== undefined && history ? await trendAlong(db, options, along, history) : await trendOverTime(db, options);
    const format = outputFormat(args);
    if (format === "json") {
      ctx.io.stdout(renderJson(trend));
      return 0;
    }
    if (trend.points.length === 0) {
      // Said on stderr, as ls and top say an empty answer: stdout stays data.
      ctx.io.stderr(trendHeadline(trend, ctx.io.columns));
      return 0;
    }
    if (format === "table") ctx.io.stdout(trendHeadline(trend, ctx.io.columns));
    const t = trendTable(trend, format !== "table");
    ctx.io.stdout(renderRows(format, t.columns, t.rows, ctx.io.columns));
    return 0;
  },
};

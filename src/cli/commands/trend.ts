import { BUCKETS } from "../../core/choices.js";
import { renderJson, renderRows } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { optString, outputFormat, withFormat, withSelection, selectionOf } from "../options.js";
import { directionOf, withDirection } from "./top.js";

export const trendCommand = defineCommand({
  command: "trend <metric>",
  describe: "how a metric moved: per day/week/month, or per commit along a branch",
  builder: (y) =>
    withDirection(withSelection(withFormat(y)))
      .positional("metric", { type: "string", describe: "metric key, e.g. val.acc" })
      .option("every", { type: "string", choices: BUCKETS, describe: "time bucket (default day, UTC)" })
      .option("along", { type: "string", describe: "walk this branch's first-parent history: the best experiment per commit" })
      .example("git exp trend val.acc --along main", "per commit of main, the best val.acc run on it"),
  run: async (args, ctx) => {
    const api = await import("../../api/trend.js");
    const { trendHeadline, trendTable } = await import("../../report/experiments.js");
    const trend = await api.trend(ctx.ws, {
      ...selectionOf(args),
      metric: String(args.metric),
      direction: directionOf(args),
      every: args.every,
      along: optString(args.along),
    });
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
});

import type { Argv } from "yargs";
import { betterOf, GROUPINGS, type Direction } from "../../core/choices.js";
import { UsageError } from "../../core/errors.js";
import { renderJson, renderRows } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { outputFormat, positiveInt, withFormat, withSelection, selectionOf } from "../options.js";

/** --max / --min, or nothing to let the metric's name decide. */
export function directionOf(args: { max?: boolean | undefined; min?: boolean | undefined }): Direction | undefined {
  if (args.max && args.min) throw new UsageError("give --max or --min, not both");
  return args.max ? "max" : args.min ? "min" : undefined;
}

export function withDirection<T>(y: Argv<T>) {
  return y
    .option("max", { type: "boolean", describe: "higher is better (default, except for names like loss, error, time)" })
    .option("min", { type: "boolean", describe: "lower is better" });
}

export const topCommand = defineCommand({
  command: "top <metric>",
  describe: "leaderboard: the best experiments by a metric",
  builder: (y) =>
    withDirection(withSelection(withFormat(y)))
      .positional("metric", { type: "string", describe: "metric key, e.g. val.acc" })
      .option("by", { type: "string", choices: GROUPINGS, describe: "one row per config (repeated runs), name, branch or commit" })
      .option("limit", { alias: "n", type: "string", describe: "rows to show (default 10)" })
      .example("git exp top val.acc --by config", "repeats (configs equal but for the seed): count, mean, std, best"),
  run: async (args, ctx) => {
    const { top } = await import("../../api/top.js");
    const { leaderboardTable } = await import("../../report/experiments.js");
    const direction = directionOf(args);
    const limit = positiveInt(args.limit, "limit");
    const board = await top(ctx.ws, { ...selectionOf(args), metric: String(args.metric), direction, by: args.by, limit });
    const format = outputFormat(args);
    if (format === "json") {
      ctx.io.stdout(renderJson(board));
      return 0;
    }
    if (format === "table") {
      if (board.guessed) ctx.io.stderr(`${board.metric}: ${betterOf(board.direction)} is better (guessed from the name; use --max or --min to say)\n`);
      if (board.rows.length === 0 && board.groups.length === 0) ctx.io.stderr(`no experiments with a value for ${board.metric}\n`);
    }
    const t = leaderboardTable(board, format !== "table");
    ctx.io.stdout(renderRows(format, t.columns, t.rows, ctx.io.columns));
    return 0;
  },
});

import type { LsRequest } from "../../api/ls.js";
import { renderJson, renderRows } from "../../report/format.js";
import { UsageError } from "../../core/errors.js";
import { defineCommand, type Context } from "../context.js";
import { limitOrAll, optString, outputFormat, selectionOf, strings, withFormat, withSelection, type FormatArgs } from "../options.js";

/** On a terminal a table shows this many rows unless --limit says otherwise; a pipe gets all. */
const TERMINAL_ROWS = 50;

export const lsCommand = defineCommand({
  command: ["ls", "list"],
  describe: "list experiments, newest first; filter with --where, sort, limit",
  builder: (y) =>
    withSelection(withFormat(y))
      .option("sort", { type: "string", describe: "sort key, e.g. val.acc (a metric or param name) or metrics.val.acc; -KEY or 'KEY desc' for descending" })
      .option("limit", { alias: "n", type: "string", describe: `show at most N experiments (0: all; on a terminal the default is ${TERMINAL_ROWS}, into a pipe all)` })
      .option("columns", { type: "string", array: true, describe: "columns to show, comma-separated: id,name,lr,val.acc,params.lr,metrics.acc,tags,..." })
      .option("running", { type: "boolean", describe: "list runs in progress (git exp run) with their latest metrics, instead of recorded experiments" })
      .example("git exp ls --where \"params.lr < 0.01 and metrics.val.acc >= 0.9\" --sort -val.acc -n 5", "")
      .example("git exp ls --tag baseline --since 7d --columns id,name,params.lr,metrics.loss", "")
      .example("git exp ls --running", "runs in progress, their step and latest metrics"),
  run: async (args, ctx) => {
    if (args.running) return listRunning(args, ctx);
    const format = outputFormat(args);
    const cut = args.limit === undefined && ctx.io.stdoutIsTTY && format === "table";
    const options: LsRequest = {
      ...selectionOf(args),
      sort: optString(args.sort),
      limit: cut ? TERMINAL_ROWS : limitOrAll(args.limit, "limit"),
      columns: strings(args.columns).flatMap((c) => c.split(",")).map((c) => c.trim()).filter(Boolean),
    };
    options.withParams = format === "json";
    const { ls } = await import("../../api/ls.js");
    const { experimentRows } = await import("../../report/experiments.js");
    const result = await ls(ctx.ws, options);
    for (const note of result.notes) ctx.io.stderr(`note: ${note}\n`);
    if (format === "json") {
      ctx.io.stdout(renderJson(result.experiments));
      return 0;
    }
    if (result.experiments.length === 0 && format === "table") {
      ctx.io.stderr(options.where || options.tags?.length || options.since || options.branch || options.status
        ? "no experiments match\n"
        : "no experiments yet: run one with 'git exp run -- python train.py', or record results with 'git exp record --config c.json --results r.json'\n");
    }
    const rows = experimentRows(result.experiments, result.columns, format !== "table");
    ctx.io.stdout(renderRows(format, result.columns, rows, ctx.io.columns));
    const more = result.total - result.experiments.length;
    if (cut && more > 0) {
      const which = options.sort ? `first ${TERMINAL_ROWS} by --sort` : `newest ${TERMINAL_ROWS}`;
      ctx.io.stderr(`showing the ${which} of ${result.total} experiments, ${more} more: --limit 0 shows all (a pipe gets all)\n`);
    }
    return 0;
  },
});

const RECORDED_ONLY = ["where", "tag", "since", "branch", "status", "sort", "limit", "columns"] as const;

/** `ls --running`: the live records, read without loading the index. */
/** What ls --running reads: the format, and the options it refuses. */
type RunningArgs = FormatArgs & { [K in (typeof RECORDED_ONLY)[number]]?: unknown };

async function listRunning(args: RunningArgs, ctx: Context): Promise<number> {
  const given = RECORDED_ONLY.filter((o) => {
    const v = args[o];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  });
  if (given.length > 0) throw new UsageError(`--running lists runs in progress; --${given[0]} applies to recorded experiments`);
  const { lsRunning } = await import("../../api/ls.js");
  const { liveJson, liveRows } = await import("../../report/live-runs.js");
  const { runs, progress } = await lsRunning(ctx.ws);
  const format = outputFormat(args);
  if (format === "json") {
    ctx.io.stdout(renderJson(liveJson(runs, progress)));
    return 0;
  }
  if (runs.length === 0 && format === "table") ctx.io.stderr("no runs in progress: start one with 'git exp run -- python train.py'\n");
  const t = liveRows(runs, progress, Date.now(), format !== "table");
  ctx.io.stdout(renderRows(format, t.columns, t.rows, ctx.io.columns));
  return 0;
}


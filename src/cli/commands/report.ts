import { writeFile } from "node:fs/promises";
import { checkWritable } from "../output-file.js";
import { UsageError } from "../../core/errors.js";
import { overviewHtml, overviewMarkdown } from "../../report/overview-report.js";
import { defineCommand } from "../context.js";
import { optString, positiveInt, whereWithSweep } from "../options.js";

export const reportCommand = defineCommand({
  command: "report",
  describe: "a self-contained HTML or Markdown report: leaderboard, params, curves, trend",
  builder: (y) =>
    y
      .option("output", { alias: "o", type: "string", demandOption: true, describe: "report.html or report.md" })
      .option("metric", { type: "string", describe: "metric to rank by (default: a validation metric, val* valid* test*, else the one most experiments have)" })
      .option("max", { type: "boolean", describe: "higher is better" })
      .option("min", { type: "boolean", describe: "lower is better (default guessed from the name: loss, error, latency...)" })
      .option("limit", { type: "string", describe: "leaderboard rows (default 20)" })
      .option("branch", { type: "string", describe: "branch for the trend (default main, master or HEAD)" })
      .option("where", { alias: "w", type: "string", describe: "report on the experiments matching a filter (the language of ls --where)" })
      .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" })
      .example("git exp report -o report.html", "ranked by a validation metric (val.acc...) when there is one")
      .example("git exp report --metric val.loss --min -o report.md", "ranked by val.loss, lowest first; Markdown for a pull request")
      .example("git exp report --where \"tags.sweep and created > 7d\" -o report.html", ""),
  run: async (args, ctx) => {
    const out = String(args.output);
    if (!/\.(html?|md)$/i.test(out)) throw new UsageError(`-o takes report.html or report.md, not ${out}`);
    await checkWritable(ctx.path(out));
    if (args.max && args.min) throw new UsageError("give --max or --min, not both");
    const where = whereWithSweep(args);
    const { report } = await import("../../api/report.js");
    const o = await report(ctx.ws, {
      where,
      metric: optString(args.metric),
      better: args.max ? "higher" : args.min ? "lower" : undefined,
      limit: positiveInt(args.limit, "limit"),
      branch: optString(args.branch),
    });
    await writeFile(ctx.path(out), /\.md$/i.test(out) ? overviewMarkdown(o) : overviewHtml(o));
    const why = o.chosen === "validation" ? ", a validation metric" : o.chosen === "most common" ? ", the metric most experiments have" : "";
    const change = o.chosen ? "; --metric NAME ranks by another" : "";
    const direction = args.max || args.min ? "" : ", guessed from its name: --max or --min to say";
    ctx.io.stderr(`wrote ${out}: ${o.leaderboard.length} runs ranked by ${o.metric}${why} (${o.better} is better${direction})${change}\n`);
    return 0;
  },
});

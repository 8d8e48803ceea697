import { writeFile } from "node:fs/promises";
import { checkWritable } from "../output-file.js";
import { plot } from "../../api/plot.js";
import { UsageError } from "../../core/errors.js";
import { lineChartSvg, smooth } from "../../report/svg-chart.js";
import { htmlPage } from "../../report/html.js";
import { textChart } from "../../report/text-chart.js";
import { defineCommand } from "../context.js";
import { optString, positiveInt, strings, whereWithSweep } from "../options.js";

export const plotCommand = defineCommand({
  command: "plot <metric> [experiments..]",
  describe: "chart a metric's history across experiments (SVG, HTML, or text in a terminal)",
  builder: (y) =>
    y
      .positional("metric", { type: "string", describe: "series name, e.g. loss or val.acc" })
      .positional("experiments", { type: "string", array: true, describe: "id prefixes or names (default: the 10 newest with the series)" })
      .option("output", { alias: "o", type: "string", describe: "write FILE.svg or FILE.html" })
      .option("x", { type: "string", choices: ["step", "time"], default: "step", describe: "x axis" })
      .option("color-by", { type: "string", describe: "legend and colour by a param (params.lr) or name" })
      .option("log", { type: "boolean", describe: "log scale on y" })
      .option("smooth", { type: "string", describe: "exponential smoothing weight in [0, 1)" })
      .option("where", { alias: "w", type: "string", describe: "plot the newest experiments matching a filter (the language of ls --where)" })
      .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" })
      .option("limit", { type: "string", describe: "how many newest experiments without explicit ids (default 10)" })
      .option("group", { type: "string", choices: ["config"], describe: "one curve per group of repeats (same config but the seed): the mean with a band" })
      .option("band", { type: "string", choices: ["std", "minmax"], describe: "with --group: mean ± std (default) or min to max" })
      .example("git exp plot loss --where \"params.lr < 0.01 and tags.sweep\" -o loss.svg", ""),
  run: async (args, ctx) => {
    const weight = Number(optString(args.smooth) ?? 0);
    if (!(weight >= 0 && weight < 1)) throw new UsageError(`--smooth takes a weight in [0, 1), not ${String(args.smooth)}`);
    const out = optString(args.output);
    if (out !== undefined && !/\.(svg|html?)$/i.test(out)) throw new UsageError(`-o takes a .svg or .html file, not ${out}`);
    if (out !== undefined) await checkWritable(ctx.path(out));
    const limit = positiveInt(args.limit, "limit");
    const metric = String(args.metric);
    const where = whereWithSweep(args);
    const { series, without, untimed, runs, matched, taken } = await plot(ctx.ws, {
      metric,
      experiments: strings(args.experiments),
      where,
      limit,
      x: args.x === "time" ? "time" : "step",
      colorBy: optString(args["color-by"]),
      group: args.group === "config" ? "config" : undefined,
      band: args.band === "minmax" ? "minmax" : args.band === "std" ? "std" : undefined,
    });
    if (matched !== undefined && matched > taken) ctx.io.stderr(`${matched} experiments${where ? " match and" : ""} have a '${metric}' series: plotting the newest ${taken} (--limit N for more)\n`);
    for (const w of without) ctx.io.stderr(`warning: ${w} has no '${metric}' series\n`);
    for (const w of untimed) ctx.io.stderr(`warning: ${w} logged no time with '${metric}': left out of a chart by time\n`);
    const shown = series.map((s) => ({ ...s, points: smooth(s.points, weight) }));
    const options = { title: metric, xLabel: args.x === "time" ? "seconds since the run's first point" : "step", yLabel: metric, logY: Boolean(args.log) };
    if (out) {
      const svg = lineChartSvg(shown, options);
      const text = /\.html?$/i.test(out) ? htmlPage(`git exp plot ${metric}`, svg) : svg;
      await writeFile(ctx.path(out), text);
      const groups = args.group === "config" ? `${series.length} group${series.length === 1 ? "" : "s"} of ` : "";
      ctx.io.stderr(`wrote ${out} (${groups}${runs} run${runs === 1 ? "" : "s"})\n`);
    } else if (ctx.io.stdoutIsTTY) ctx.io.stdout(textChart(shown, { width: ctx.io.columns, logY: options.logY, title: metric }));
    else ctx.io.stdout(lineChartSvg(shown, options));
    return 0;
  },
});


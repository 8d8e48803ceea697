import { writeFile } from "node:fs/promises";
import { UsageError } from "../../core/errors.js";
import { metricCurves } from "../../analysis/curves.js";
import { lineChartSvg, smooth } from "../../report/svg-chart.js";
import { htmlPage } from "../../report/html.js";
import { textChart } from "../../report/text-chart.js";
import type { CommandDef } from "../context.js";
import { optString, positiveInt, strings } from "../options.js";

export const plotCommand: CommandDef = {
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
      .option("limit", { type: "string", describe: "how many newest experiments without explicit ids (default 10)" }),
  run: async (args, ctx) => {
    const weight = Number(optString(args["smooth"]) ?? 0);
    if (!(weight >= 0 && weight < 1)) throw new UsageError(`--smooth takes a weight in [0, 1), not ${String(args["smooth"])}`);
    const out = optString(args["output"]);
    if (out !== undefined && !/\.(svg|html?)$/i.test(out)) throw new UsageError(`-o takes a .svg or .html file, not ${out}`);
    const store = await ctx.store();
    const listing = await store.list();
    const ids: string[] = [];
    for (const spec of strings(args["experiments"])) ids.push(await store.resolve(spec, listing));
    const metric = String(args["metric"]);
    const { series, without } = await metricCurves(store, ids, {
      metric,
      x: args["x"] === "time" ? "time" : "step",
      colorBy: optString(args["color-by"]),
      limit: positiveInt(args["limit"], "limit"),
    });
    for (const w of without) ctx.io.stderr(`warning: ${w} has no '${metric}' series\n`);
    const shown = series.map((s) => ({ ...s, points: smooth(s.points, weight) }));
    const options = { title: metric, xLabel: args["x"] === "time" ? "time (s)" : "step", yLabel: metric, logY: Boolean(args["log"]) };
    if (out) {
      const svg = lineChartSvg(shown, options);
      const text = /\.html?$/i.test(out) ? htmlPage(`git exp plot ${metric}`, svg) : svg;
      await writeFile(ctx.path(out), text);
      ctx.io.stderr(`wrote ${out} (${series.length} runs)\n`);
    } else if (ctx.io.stdoutIsTTY) ctx.io.stdout(textChart(shown, { width: ctx.io.columns, logY: options.logY, title: metric }));
    else ctx.io.stdout(lineChartSvg(shown, options));
    return 0;
  },
};

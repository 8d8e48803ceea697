import { stats, statsSides } from "../../api/stats.js";
import { renderStats, statsWarnings } from "../../report/stats.js";
import { defineCommand } from "../context.js";
import { directionHints, optNumber, optString, outputFormat, withDirections, withFormat, whereWithSweep } from "../options.js";

export const statsCommand = defineCommand({
  command: "stats [a] [b]",
  describe: "repeated runs compared: n, mean, std, 95% CI per metric and Welch's t-test of B against A",
  builder: (y) =>
    withDirections(withFormat(y))
      .positional("a", { type: "string", describe: "experiment (with its repeats: same config but the seed), config hash, or run name" })
      .positional("b", { type: "string", describe: "experiment (with its repeats: same config but the seed), config hash, or run name" })
      .option("where", { alias: "w", type: "string", describe: "side A as a filter (as ls --where)" })
      .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" })
      .option("vs", { type: "string", describe: "side B as a filter" })
      .option("alpha", { type: "string", describe: "significance level (default 0.05)" })
      .example("git exp stats baseline candidate", "every run named baseline against every run named candidate")
      .example("git exp stats --where \"params.opt = 'sgd'\" --vs \"params.opt = 'adam'\"", ""),
  run: async (args, ctx) => {
    const alpha = optNumber(args.alpha, "alpha");
    const vs = optString(args.vs) === undefined ? undefined : whereWithSweep(args, "vs");
    const sides = statsSides(optString(args.a), optString(args.b), whereWithSweep(args), vs);
    const { a, b, report } = await stats(ctx.ws, { ...sides, alpha, ...directionHints(args) });
    for (const [side, g] of [["A", a], ["B", b]] as const) {
      const n = g.rerunsLeftOut ?? 0;
      if (n > 0) ctx.io.stderr(`warning: ${side} (${g.label}): ${n} rerun${n === 1 ? "" : "s"} made by git exp repro left out: a rerun repeats a run, not a seed; name it to count it\n`);
    }
    for (const w of statsWarnings(report)) ctx.io.stderr(`warning: ${w}\n`);
    ctx.io.stdout(renderStats(report, outputFormat(args)));
    return 0;
  },
});

import { loadCatalog } from "../../analysis/catalog.js";
import { resolveGroup } from "../../analysis/groups.js";
import { checkAlpha, compareGroups } from "../../analysis/stats.js";
import { renderStats, statsWarnings } from "../../report/stats.js";
import type { CommandDef } from "../context.js";
import { directionHints, optNumber, outputFormat, withDirections, withFormat } from "../options.js";

export const statsCommand: CommandDef = {
  command: "stats <a> <b>",
  describe: "repeated runs compared: n, mean, std, 95% CI per metric and Welch's t-test of B against A",
  builder: (y) =>
    withDirections(withFormat(y))
      .positional("a", { type: "string", describe: "experiment (all runs of its config), config hash, or run name" })
      .positional("b", { type: "string", describe: "experiment (all runs of its config), config hash, or run name" })
      .option("alpha", { type: "string", describe: "significance level (default 0.05)" }),
  run: async (args, ctx) => {
    const alpha = optNumber(args["alpha"], "alpha") ?? 0.05;
    checkAlpha(alpha);
    const catalog = await loadCatalog(await ctx.store());
    const [a, b] = [resolveGroup(catalog, String(args["a"])), resolveGroup(catalog, String(args["b"]))];
    const report = compareGroups(a, b, { alpha, ...directionHints(args) });
    for (const w of statsWarnings(report)) ctx.io.stderr(`warning: ${w}\n`);
    ctx.io.stdout(renderStats(report, outputFormat(args)));
    return 0;
  },
};

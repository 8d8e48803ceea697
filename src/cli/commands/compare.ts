import { compareSpecs } from "../../analysis/compare.js";
import { comparisonNote, renderComparison } from "../../report/compare.js";
import type { CommandDef } from "../context.js";
import { directionHints, outputFormat, strings, withDirections, withFormat } from "../options.js";

export const compareCommand: CommandDef = {
  command: "compare <experiment..>",
  describe: "experiments side by side: params and metrics that differ, best value marked",
  builder: (y) =>
    withDirections(withFormat(y))
      .positional("experiment", { type: "string", array: true, describe: "id prefix (4+ hex), name or ref" })
      .option("all", { type: "boolean", describe: "also show rows where every experiment has the same value" }),
  run: async (args, ctx) => {
    const c = await compareSpecs(await ctx.store(), strings(args["experiment"]), { all: Boolean(args["all"]), ...directionHints(args) });
    const format = outputFormat(args);
    ctx.io.stdout(renderComparison(c, format, ctx.io.columns));
    const note = comparisonNote(c);
    if (note && format !== "json") ctx.io.stderr(note + "\n");
    return 0;
  },
};

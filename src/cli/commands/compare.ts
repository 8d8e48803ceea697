import { compare } from "../../api/compare.js";
import { comparisonNote, renderComparison } from "../../report/compare.js";
import { defineCommand } from "../context.js";
import { directionHints, outputFormat, positiveInt, strings, withDirections, withFormat, whereWithSweep } from "../options.js";

export const compareCommand = defineCommand({
  command: "compare [experiment..]",
  describe: "experiments side by side: params and metrics that differ, best value marked",
  builder: (y) =>
    withDirections(withFormat(y))
      .positional("experiment", { type: "string", array: true, describe: "id prefix (4+ hex), name or ref" })
      .option("where", { alias: "w", type: "string", describe: "compare the experiments this filter picks (as ls --where)" })
      .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" })
      .option("limit", { alias: "n", type: "string", describe: "with --where: at most N, newest first (default 20)" })
      .option("all", { type: "boolean", describe: "also show rows where every experiment has the same value" })
      .example("git exp compare iris-1 iris-2 iris-3", "params and metrics that differ, best marked")
      .example("git exp compare --where \"params.epochs = 40\" --format md", "for a pull request"),
  run: async (args, ctx) => {
    const c = await compare(ctx.ws, {
      experiments: strings(args.experiment),
      where: whereWithSweep(args),
      limit: positiveInt(args.limit, "limit"),
      all: Boolean(args.all),
      ...directionHints(args),
    });
    const format = outputFormat(args);
    ctx.io.stdout(renderComparison(c, format, ctx.io.columns));
    const note = comparisonNote(c);
    if (note && format !== "json") ctx.io.stderr(note + "\n");
    return 0;
  },
});

import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";

export const renameCommand = defineCommand({
  command: "rename <experiment> <name>",
  describe: "give an experiment a new name (its id does not change)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("name", { type: "string", describe: "the new name" })
      .example("git exp rename iris-3 iris-best", "the id stays; the old name shows as 'recorded as'"),
  run: async (args, ctx) => {
    const { rename } = await import("../../api/rename.js");
    return printAnnotated(ctx, await rename(ctx.ws, String(args.experiment), String(args.name)), Boolean(args.json));
  },
});

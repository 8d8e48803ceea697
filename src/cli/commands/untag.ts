import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { strings, withJson } from "../options.js";

export const untagCommand = defineCommand({
  command: "untag <experiment> <tags..>",
  describe: "remove tags from an experiment",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("tags", { type: "string", array: true, describe: "tags to remove" })
      .example("git exp untag iris-3 v2", ""),
  run: async (args, ctx) => {
    const { untag } = await import("../../api/tag.js");
    return printAnnotated(ctx, await untag(ctx.ws, String(args.experiment), strings(args.tags)), Boolean(args.json));
  },
});

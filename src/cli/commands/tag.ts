import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { strings, withJson } from "../options.js";

export const tagCommand = defineCommand({
  command: "tag <experiment> <tags..>",
  describe: "add tags to an experiment (kept as events; they travel with push and pull)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("tags", { type: "string", array: true, describe: "tags to add" })
      .example("git exp tag iris-3 baseline v2", ""),
  run: async (args, ctx) => {
    const { tag } = await import("../../api/tag.js");
    return printAnnotated(ctx, await tag(ctx.ws, String(args.experiment), strings(args.tags)), Boolean(args.json));
  },
});

import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { strings, withJson } from "../options.js";

export const rmCommand = defineCommand({
  command: "rm <experiment..>",
  describe: "delete experiments: a delete event that travels with push and pull (--purge also drops the ref)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", array: true, describe: "id prefix, name or ref" })
      .option("purge", { type: "boolean", describe: "also delete the ref here (git gc then prunes the objects)" })
      .example("git exp rm iris-1", "a delete event: git exp restore brings it back")
      .example("git exp rm --purge iris-1", "also drop the ref here"),
  run: async (args, ctx) => {
    const { rm } = await import("../../api/rm.js");
    return printAnnotated(ctx, await rm(ctx.ws, { experiments: strings(args.experiment), purge: Boolean(args.purge) }), Boolean(args.json));
  },
});

import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { strings, withJson } from "../options.js";

export const restoreCommand = defineCommand({
  command: "restore <experiment..>",
  describe: "bring back deleted experiments: deleted here with 'git exp rm', or by another clone (after --purge only while a pull's quarantine holds them)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", array: true, describe: "id prefix, name or ref" })
      .example("git exp restore iris-1", "undo git exp rm iris-1"),
  run: async (args, ctx) => {
    const { restore } = await import("../../api/restore.js");
    return printAnnotated(ctx, await restore(ctx.ws, strings(args.experiment)), Boolean(args.json));
  },
});

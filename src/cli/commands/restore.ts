import { runAnnotate } from "../annotate.js";
import type { CommandDef } from "../context.js";
import { strings, withJson } from "../options.js";

export const restoreCommand: CommandDef = {
  command: "restore <experiment..>",
  describe: "bring back experiments deleted with 'git exp rm' (not after --purge)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", array: true, describe: "id prefix, name or ref" })
      .example("git exp restore iris-1", "undo git exp rm iris-1"),
  run: async (args, ctx) => {
    await runAnnotate(ctx, strings(args["experiment"]), [{ op: "restore" }], {
      json: Boolean(args["json"]),
      includeDeleted: true,
    });
    return 0;
  },
};

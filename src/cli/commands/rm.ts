import { runAnnotate } from "../annotate.js";
import type { CommandDef } from "../context.js";
import { strings, withJson } from "../options.js";

export const rmCommand: CommandDef = {
  command: "rm <experiment..>",
  describe: "delete experiments: a delete event that travels with push and pull (--purge also drops the ref)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", array: true, describe: "id prefix, name or ref" })
      .option("purge", { type: "boolean", describe: "also delete the ref here (git gc then prunes the objects)" })
      .example("git exp rm iris-1", "a delete event: git exp restore brings it back")
      .example("git exp rm --purge iris-1", "also drop the ref here"),
  run: async (args, ctx) => {
    const purge = Boolean(args["purge"]);
    const store = await ctx.store();
    await runAnnotate(ctx, strings(args["experiment"]), [{ op: "delete" }], {
      json: Boolean(args["json"]),
      includeDeleted: purge,
      after: purge ? (ids) => store.remove(ids) : undefined,
    });
    return 0;
  },
};

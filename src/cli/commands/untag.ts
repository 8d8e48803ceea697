import { runAnnotate } from "../annotate.js";
import type { CommandDef } from "../context.js";
import { strings, withJson } from "../options.js";

export const untagCommand: CommandDef = {
  command: "untag <experiment> <tags..>",
  describe: "remove tags from an experiment",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("tags", { type: "string", array: true, describe: "tags to remove" })
      .example("git exp untag iris-3 v2", ""),
  run: async (args, ctx) => {
    const changes = strings(args["tags"]).map((tag) => ({ op: "untag" as const, tag }));
    await runAnnotate(ctx, [String(args["experiment"])], changes, { json: Boolean(args["json"]) });
    return 0;
  },
};

import { runAnnotate } from "../annotate.js";
import type { CommandDef } from "../context.js";
import { withJson } from "../options.js";

export const noteCommand: CommandDef = {
  command: "note <experiment> <text>",
  describe: "add a note to an experiment (notes accumulate; 'git exp show' lists them)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("text", { type: "string", describe: "the note, in quotes" })
      .example("git exp note iris-3 \"best so far; try a larger lr\"", ""),
  run: async (args, ctx) => {
    await runAnnotate(ctx, [String(args["experiment"])], [{ op: "note", text: String(args["text"]) }], {
      json: Boolean(args["json"]),
    });
    return 0;
  },
};

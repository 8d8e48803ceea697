import { printAnnotated } from "../annotate.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";

export const noteCommand = defineCommand({
  command: "note <experiment> <text>",
  describe: "add a note to an experiment (notes accumulate; 'git exp show' lists them)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("text", { type: "string", describe: "the note, in quotes" })
      .example("git exp note iris-3 \"best so far; try a larger lr\"", ""),
  run: async (args, ctx) => {
    const { note } = await import("../../api/note.js");
    return printAnnotated(ctx, await note(ctx.ws, String(args.experiment), String(args.text)), Boolean(args.json));
  },
});

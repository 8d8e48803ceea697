import { experimentToDocument } from "../../core/document.js";
import { show } from "../../api/show.js";
import { renderJson } from "../../report/format.js";
import { renderShow } from "../../report/show.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";

export const showCommand = defineCommand({
  command: "show <experiment>",
  describe: "everything about one experiment (by id prefix, name or ref)",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .option("deleted", { type: "boolean", describe: "also find experiments deleted with 'git exp rm'" })
      .example("git exp show iris-3", "by name; an id prefix (4+ hex) or a ref works too")
      .example("git exp show iris-3 --json", "everything, as data"),
  run: async (args, ctx) => {
    const d = await show(ctx.ws, { experiment: String(args.experiment), includeDeleted: Boolean(args.deleted) });
    if (args.json) {
      ctx.io.stdout(
        renderJson({
          ...experimentToDocument(d.experiment, d.id),
          config_hash: d.configHash,
          commit_parents: d.parents,
          annotations: d.annotations,
        }),
      );
    } else ctx.io.stdout(renderShow(d));
    return 0;
  },
});

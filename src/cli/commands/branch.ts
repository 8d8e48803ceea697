import { branch } from "../../api/branch.js";
import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";
import { shortId } from "../../core/ids.js";

export const branchCommand = defineCommand({
  command: "branch <experiment> <name>",
  describe: "create a branch with an experiment's code: its source commit, plus a commit of its uncommitted changes",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("name", { type: "string", describe: "the new branch" })
      .example("git exp branch baseline try-baseline", "then git switch try-baseline"),
  run: async (args, ctx) => {
    const o = await branch(ctx.ws, { experiment: String(args.experiment), name: String(args.name) });
    if (args.json) {
      ctx.io.stdout(renderJson({ id: o.id, branch: o.branch, head: o.head, source_commit: o.commit, patch_committed: o.patchCommitted, config_written: o.configWritten }));
      return 0;
    }
    const extra = o.head === o.commit ? "(the run had no uncommitted changes)" : `with one commit ${shortId(o.head)} holding ${[o.patchCommitted ? "its uncommitted changes" : "", o.configWritten ? `its config in ${o.configWritten}` : ""].filter(Boolean).join(" and ")}`;
    ctx.io.stderr(`created branch ${o.branch} at the source commit ${shortId(o.commit)} of experiment ${shortId(o.id)} ${extra}; git switch ${o.branch} to work on it\n`);
    ctx.io.stdout(o.head + "\n");
    return 0;
  },
});

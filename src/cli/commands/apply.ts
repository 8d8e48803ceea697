import { apply } from "../../api/apply.js";
import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";
import { shortId } from "../../core/ids.js";

export const applyCommand = defineCommand({
  command: "apply <experiment>",
  describe: "put an experiment's code (source commit, uncommitted changes, config file) into the work tree",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .option("force", { type: "boolean", describe: "apply even though the work tree has uncommitted changes" })
      .example("git exp apply baseline", "the work tree as the run named baseline had it; HEAD stays where it is"),
  run: async (args, ctx) => {
    const o = await apply(ctx.ws, { experiment: String(args.experiment), force: Boolean(args.force) });
    if (args.json) {
      ctx.io.stdout(renderJson({ id: o.id, source_commit: o.commit, changed: o.changed, patch_applied: o.patchApplied, config_written: o.configWritten }));
      return 0;
    }
    const what = [`the diff from HEAD to its source commit ${shortId(o.commit)}`, o.patchApplied ? "its uncommitted changes (patch.diff)" : "", o.configWritten ? `its config written to ${o.configWritten}` : ""].filter(Boolean);
    if (o.changed.length === 0) ctx.io.stderr(`the work tree already holds the code of experiment ${shortId(o.id)}; nothing changed\n`);
    else {
      ctx.io.stderr(`applied the code of experiment ${shortId(o.id)}: ${what.join(", ")}; ${o.changed.length} file(s) changed, HEAD and the index not moved (git diff shows it):\n`);
      for (const c of o.changed.slice(0, 20)) ctx.io.stdout(`${c.status}\t${c.path}\n`);
      if (o.changed.length > 20) ctx.io.stdout(`... and ${o.changed.length - 20} more\n`);
    }
    return 0;
  },
});

import { init } from "../../api/init.js";
import { renderJson } from "../../report/format.js";
import { renderInit } from "../../report/share.js";
import { defineCommand } from "../context.js";
import { optString, withJson } from "../options.js";

export const initCommand = defineCommand({
  command: "init [remote]",
  describe: "make plain 'git fetch' and 'git push' carry experiments and annotations for a remote",
  builder: (y) =>
    withJson(y)
      .positional("remote", { type: "string", describe: "remote name (default: the branch's remote, or origin)" })
      .option("undo", { type: "boolean", describe: "remove what init added (with --hide, the log setting too)" })
      .option("hide", { type: "boolean", describe: "also keep experiment commits out of git log's decorations and GUI clients (log.excludeDecoration)" })
      .example("git exp init", "then plain git fetch and git push carry experiments for the branch's remote (or origin)")
      .example("git exp init --hide", "and git log --decorate, tig, gitk leave the experiment refs out")
      .example("git exp init --undo", "remove what init added"),
  run: async (args, ctx) => {
    const undo = Boolean(args.undo);
    const hide = Boolean(args.hide);
    const { summary, onlyLog, hidden } = await init(ctx.ws, { remote: optString(args.remote), undo, hide });
    const nothing = summary.added.length === 0 && summary.removed.length === 0;
    if (args.json) ctx.io.stdout(renderJson(summary));
    else if (onlyLog && nothing) ctx.io.stdout(undo ? "nothing to undo\n" : "git log already leaves the experiment refs out\n");
    else ctx.io.stdout(renderInit(summary, undo));
    if (onlyLog && !undo) ctx.io.stderr("note: no remote yet; after 'git remote add origin URL', run 'git exp init' so plain fetch and push carry experiments\n");
    if (!hide && !undo && !hidden) {
      ctx.io.stderr(
        "tip: git log --all and GUI clients show every experiment as a commit; 'git exp init --hide' keeps them out of decorations " +
          "(git config log.excludeDecoration 'refs/experiments/*'), and git log --exclude='refs/experiments/*' --all leaves them out of --all\n",
      );
    }
    return 0;
  },
});

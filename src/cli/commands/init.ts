import { initRemote } from "../../store/remote-config.js";
import { renderJson } from "../../report/format.js";
import { renderInit } from "../../report/share.js";
import type { CommandDef } from "../context.js";
import { optString, withJson } from "../options.js";

export const initCommand: CommandDef = {
  command: "init [remote]",
  describe: "make plain 'git fetch' and 'git push' carry experiments and annotations for a remote",
  builder: (y) =>
    withJson(y)
      .positional("remote", { type: "string", describe: "remote name (default: the branch's remote, or origin)" })
      .option("undo", { type: "boolean", describe: "remove what init added" }),
  run: async (args, ctx) => {
    const undo = Boolean(args["undo"]);
    const summary = await initRemote(await ctx.repo(), optString(args["remote"]), { undo });
    ctx.io.stdout(args["json"] ? renderJson(summary) : renderInit(summary, undo));
    return 0;
  },
};

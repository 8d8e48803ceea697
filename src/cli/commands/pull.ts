import { ExitCode } from "../../core/errors.js";
import { pull } from "../../api/pull.js";
import { renderJson } from "../../report/format.js";
import { capLines, renderPull } from "../../report/share.js";
import type { CommandDef } from "../context.js";
import { optString, withJson } from "../options.js";

export const pullCommand: CommandDef = {
  command: "pull [remote]",
  describe: "fetch experiments and annotations from a git remote, check them, and add the good ones",
  builder: (y) =>
    withJson(y)
      .positional("remote", { type: "string", describe: "remote name, URL or path (default: the branch's remote, or origin)" })
      .option("fetch", { type: "boolean", default: true, describe: "fetch first (--no-fetch: only check what 'git fetch' brought)" })
      .example("git exp pull", "fetch, check every new experiment, add the good ones")
      .example("git exp pull origin --no-fetch", "only check what a plain git fetch brought"),
  run: async (args, ctx) => {
    const summary = await pull(ctx.ws, { remote: optString(args["remote"]), fetch: args["fetch"] !== false });
    const { out, problems } = renderPull(summary);
    ctx.io.stdout(args["json"] ? renderJson(summary) : out);
    ctx.io.stderr(capLines(problems));
    return summary.rejected.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
};

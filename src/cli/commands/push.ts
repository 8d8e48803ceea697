import { push } from "../../api/push.js";
import { ExitCode } from "../../core/errors.js";
import { renderJson } from "../../report/format.js";
import { capLines, renderPush } from "../../report/share.js";
import { defineCommand } from "../context.js";
import { optString, strings, withJson } from "../options.js";

export const pushCommand = defineCommand({
  command: "push [remote] [experiments..]",
  describe: "send experiments and annotations to a git remote (only what it lacks)",
  builder: (y) =>
    withJson(y)
      .positional("remote", { type: "string", describe: "remote name, URL or path (default: the branch's remote, or origin)" })
      .positional("experiments", { type: "string", array: true, describe: "id prefixes, names or refs (default: all)" })
      .option("all", { type: "boolean", describe: "push every experiment (the default)" })
      .example("git exp push", "every experiment the branch's remote (or origin) lacks")
      .example("git exp push origin iris-3 iris-l2", "only these"),
  run: async (args, ctx) => {
    const summary = await push(ctx.ws, { remote: optString(args.remote), experiments: strings(args.experiments), all: Boolean(args.all) });
    const { out, problems } = renderPush(summary);
    ctx.io.stdout(args.json ? renderJson(summary) : out);
    ctx.io.stderr(capLines(problems));
    return problems.length > 0 ? ExitCode.environment : ExitCode.ok;
  },
});

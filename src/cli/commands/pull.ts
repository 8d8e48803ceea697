import { ExitCode } from "../../core/errors.js";
import { pull, pullRefusedSomething } from "../../api/pull.js";
import { renderJson } from "../../report/format.js";
import { capLines, renderPull } from "../../report/share.js";
import { defineCommand } from "../context.js";
import { optString, withJson } from "../options.js";

export const pullCommand = defineCommand({
  command: "pull [remote]",
  describe: "fetch experiments and annotations from a git remote, check them, and add the good ones",
  builder: (y) =>
    withJson(y)
      .positional("remote", { type: "string", describe: "remote name, URL or path (default: the branch's remote, or origin)" })
      .option("fetch", { type: "boolean", default: true, describe: "fetch first (--no-fetch: only check what 'git fetch' brought)" })
      .option("deletes", { type: "boolean", default: true, describe: "apply deletes made in other clones (--no-deletes: keep them out; gitexp.json accept_deletes)" })
      .option("verify-signatures", { type: "boolean", describe: "keep only annotations added by commits with a good signature (git verify-commit)" })
      .example("git exp pull", "fetch, check every new experiment, add the good ones")
      .example("git exp pull origin --no-fetch", "only check what a plain git fetch brought")
      .example("git exp pull --no-deletes", "keep other clones' deletes out of this one"),
  run: async (args, ctx) => {
    const summary = await pull(ctx.ws, {
      remote: optString(args.remote),
      fetch: args.fetch !== false,
      noDeletes: args.deletes === false,
      verifySignatures: args["verify-signatures"] === true,
    });
    const { out, problems } = renderPull(summary);
    ctx.io.stdout(args.json ? renderJson(summary) : out);
    ctx.io.stderr(capLines(problems));
    return pullRefusedSomething(summary) ? ExitCode.checkFailed : ExitCode.ok;
  },
});

import { NotFoundError, UsageError, ExitCode } from "../../core/errors.js";
import { annotationPolicy } from "../../api/pull.js";
import { push } from "../../store/push.js";
import { resolveRemote } from "../../store/remote.js";
import { renderJson } from "../../report/format.js";
import { capLines, renderPush } from "../../report/share.js";
import type { CommandDef, Context } from "../context.js";
import { optString, strings, withJson } from "../options.js";

export const pushCommand: CommandDef = {
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
    const specs = strings(args["experiments"]);
    if (args["all"] && specs.length > 0) throw new UsageError("give experiments or --all, not both");
    const store = await ctx.store();
    const remote = await checkRemote(ctx, optString(args["remote"]));
    let ids: string[] | undefined;
    if (specs.length > 0) {
      ids = await store.resolveAll(specs, { includeDeleted: true });
    }
    const summary = await push(store.repo, { remote, ids: ids && [...new Set(ids)], policy: await annotationPolicy(store.repo) });
    const { out, problems } = renderPush(summary);
    ctx.io.stdout(args["json"] ? renderJson(summary) : out);
    ctx.io.stderr(capLines(problems));
    return problems.length > 0 ? ExitCode.environment : ExitCode.ok;
  },
};

/** A first argument that is an experiment rather than a remote gets a hint, not just "no remote". */
async function checkRemote(ctx: Context, spec: string | undefined): Promise<string | undefined> {
  const repo = await ctx.repo();
  try {
    await resolveRemote(repo, spec);
    return spec;
  } catch (e) {
    if (!(e instanceof NotFoundError) || spec === undefined) throw e;
    const isExperiment = await (await ctx.store()).resolve(spec).then(
      () => true,
      () => false,
    );
    if (!isExperiment) throw e;
    throw new NotFoundError(`'${spec}' is an experiment, not a remote: name the remote first, as in 'git exp push origin ${spec}'`);
  }
}

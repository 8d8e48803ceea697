import { UsageError } from "../../core/errors.js";
import { loadCatalog } from "../../analysis/catalog.js";
import { repeatKeysOf } from "../../capture/rules-file.js";
import { groupOf, resolveGroup, type Group } from "../../analysis/groups.js";
import { checkAlpha, compareGroups } from "../../analysis/stats.js";
import { renderStats, statsWarnings } from "../../report/stats.js";
import type { CommandDef, Context } from "../context.js";
import { idsWhere } from "../index-handle.js";
import { directionHints, optNumber, optString, outputFormat, withDirections, withFormat, whereWithSweep } from "../options.js";

export const statsCommand: CommandDef = {
  command: "stats [a] [b]",
  describe: "repeated runs compared: n, mean, std, 95% CI per metric and Welch's t-test of B against A",
  builder: (y) =>
    withDirections(withFormat(y))
      .positional("a", { type: "string", describe: "experiment (with its repeats: same config but the seed), config hash, or run name" })
      .positional("b", { type: "string", describe: "experiment (with its repeats: same config but the seed), config hash, or run name" })
      .option("where", { alias: "w", type: "string", describe: "side A as a filter (as ls --where)" })
      .option("sweep", { type: "string", describe: "only the trials of this study (its id or a prefix, from git exp sweeps)" })
      .option("vs", { type: "string", describe: "side B as a filter" })
      .option("alpha", { type: "string", describe: "significance level (default 0.05)" })
      .example("git exp stats baseline candidate", "every run named baseline against every run named candidate")
      .example("git exp stats --where \"params.opt = 'sgd'\" --vs \"params.opt = 'adam'\"", ""),
  run: async (args, ctx) => {
    const alpha = optNumber(args["alpha"], "alpha") ?? 0.05;
    checkAlpha(alpha);
    const [a, b] = await sides(args, ctx);
    const report = compareGroups(a, b, { alpha, ...directionHints(args) });
    for (const [side, g] of [["A", a], ["B", b]] as const) {
      const n = g.rerunsLeftOut ?? 0;
      if (n > 0) ctx.io.stderr(`warning: ${side} (${g.label}): ${n} rerun${n === 1 ? "" : "s"} made by git exp repro left out: a rerun repeats a run, not a seed; name it to count it\n`);
    }
    for (const w of statsWarnings(report)) ctx.io.stderr(`warning: ${w}\n`);
    ctx.io.stdout(renderStats(report, outputFormat(args)));
    return 0;
  },
};

/** Each side is a name/id/config hash, or a filter; a filter side is read through the index. */
async function sides(args: Record<string, unknown>, ctx: Context): Promise<[Group, Group]> {
  const a = optString(args["a"]);
  const b = optString(args["b"]);
  const where = whereWithSweep(args);
  const vs = optString(args["vs"]) === undefined ? undefined : whereWithSweep(args, "vs");
  const specA = where ?? a;
  const specB = vs ?? (where !== undefined ? a : b);
  if (specA === undefined || specB === undefined || (where !== undefined && b !== undefined)) {
    throw new UsageError("give two sides: stats A B, or stats --where EXPR --vs EXPR (a side may also be a name with the other a filter)");
  }
  const store = await ctx.store();
  const repeatKeys = await repeatKeysOf(store.repo);
  const byFilter = async (expr: string): Promise<Group> => {
    const ids = await idsWhere(ctx, { where: expr });
    return groupOf(`where ${expr}`, await loadCatalog(store, ids, repeatKeys));
  };
  const needsCatalog = (where === undefined) || (vs === undefined);
  const catalog = needsCatalog ? await loadCatalog(store, undefined, repeatKeys) : [];
  const sideA = where !== undefined ? await byFilter(where) : resolveGroup(catalog, specA);
  const sideB = vs !== undefined ? await byFilter(vs) : resolveGroup(catalog, specB);
  return [sideA, sideB];
}

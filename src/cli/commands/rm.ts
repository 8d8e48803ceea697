import type { CommandDef } from "../context.js";
import { strings } from "../options.js";

export const rmCommand: CommandDef = {
  command: "rm <experiment..>",
  describe: "delete experiments (their refs; git gc prunes the objects)",
  builder: (y) => y.positional("experiment", { type: "string", array: true, describe: "id prefix, name or ref" }),
  run: async (args, ctx) => {
    const store = await ctx.store();
    const listing = await store.list();
    // Resolve every name first, so one bad name deletes nothing.
    const ids: string[] = [];
    for (const spec of strings(args["experiment"])) ids.push(await store.resolve(spec, listing));
    const unique = [...new Set(ids)];
    await store.remove(unique);
    for (const id of unique) ctx.io.stdout(`removed ${id}\n`);
    return 0;
  },
};

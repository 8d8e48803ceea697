import { listExperiments } from "../../analysis/listing.js";
import { formatNumber, renderJson, renderRows, type Row } from "../../report/format.js";
import type { CommandDef } from "../context.js";
import { outputFormat, withFormat } from "../options.js";

export const lsCommand: CommandDef = {
  command: "ls",
  describe: "list experiments, newest first",
  builder: (y) => withFormat(y),
  run: async (args, ctx) => {
    const listing = await listExperiments(await ctx.store());
    for (const p of listing.problems) ctx.io.stderr(`warning: ${p}\n`);
    const format = outputFormat(args);
    if (format === "json") {
      ctx.io.stdout(renderJson(listing.experiments));
      return 0;
    }
    const rows: Row[] = listing.experiments.map((e) => ({
      id: e.id.slice(0, 10),
      name: e.name ?? "",
      status: e.status,
      created: e.created_at.slice(0, 19).replace("T", " "),
      metrics: Object.entries(e.metrics)
        .slice(0, 4)
        .map(([k, v]) => `${k}=${v === null ? "null" : formatNumber(v)}`)
        .join(" "),
    }));
    if (rows.length === 0 && format === "table") ctx.io.stderr("no experiments yet: record one with 'git exp record --config c.json --results r.json'\n");
    ctx.io.stdout(renderRows(format, ["id", "name", "status", "created", "metrics"], rows, ctx.io.columns));
    return 0;
  },
};

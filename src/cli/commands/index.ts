import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { indexStatus, syncIndex } from "../../api/index-sync.js";
import { withJson } from "../options.js";
import { shortId } from "../../core/ids.js";

export const indexCommand = defineCommand({
  command: "index",
  describe: "bring the DuckDB index up to date (every query does this itself); --rebuild, --status",
  builder: (y) =>
    withJson(y)
      .option("rebuild", { type: "boolean", describe: "rebuild from scratch (it is a cache: nothing is lost)" })
      .option("status", { type: "boolean", describe: "where the index is, how big, how current, what was left out" })
      .example("git exp index --status", "where the index is, how big, whether current")
      .example("git exp index --rebuild", "build it again from the refs (nothing is lost)"),
  run: async (args, ctx) => {
    if (args.status) {
      const s = await indexStatus(ctx.ws);
      if (args.json) ctx.io.stdout(renderJson(s));
      else {
        const lines = [
          `index:        ${s.path}${s.exists ? "" : " (not built yet: any query builds it)"}`,
          `format:       ${s.format ?? "-"}`,
          `size:         ${(s.bytes / 1048576).toFixed(1)} MiB`,
          `experiments:  ${s.experiments}`,
          `deleted:      ${s.hidden.deleted} (hidden by delete events)`,
          `left out:     ${s.hidden.invalid.length} (failing their schema)`,
          `last sync:    ${s.syncedAt ?? "-"}`,
          `up to date:   ${s.upToDate ? "yes" : "no (the next query updates it)"}`,
          ...s.hidden.invalid.map((i) => `  ${shortId(i.id)}: ${i.reason}`),
        ];
        ctx.io.stdout(lines.join("\n") + "\n");
      }
      return 0;
    }
    const started = Date.now();
    const report = await syncIndex(ctx.ws, { rebuild: Boolean(args.rebuild) });
    if (args.json) ctx.io.stdout(renderJson({ ...report, ms: Date.now() - started }));
    else {
      ctx.io.stdout(
        report.upToDate && !report.rebuilt
          ? `index up to date: ${report.total} experiments\n`
          : `index ${report.rebuilt ? "rebuilt" : "updated"} in ${Date.now() - started} ms: ${report.added} added, ${report.removed} removed, ${report.updated} re-annotated, ${report.skipped.length} left out; ${report.total} experiments\n`,
      );
    }
    return 0;
  },
});

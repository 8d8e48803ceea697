import { canonicalJson } from "../../core/json.js";
import { renderJson, renderRows } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { outputFormat, withFormat } from "../options.js";
import { shortId } from "../../core/ids.js";

export const sweepsCommand = defineCommand({
  command: "sweeps",
  describe: "the studies (sweeps and searches) in the repository: trials done, best so far, its config",
  builder: (y) => withFormat(y).example("git exp ls --sweep ID", "a study's trials; top, compare, stats, plot and report take --sweep ID too"),
  run: async (args, ctx) => {
    const { sweeps } = await import("../../api/sweeps.js");
    const studies = await sweeps(ctx.ws);
    const format = outputFormat(args);
    if (format === "json") {
      ctx.io.stdout(renderJson(studies));
      return 0;
    }
    if (studies.length === 0) ctx.io.stderr("no sweeps yet: git exp run --sweep sweep.yaml -- python train.py\n");
    const rows = studies.map((s) => ({
      sweep: format === "table" ? shortId(s.id) : s.id,
      method: s.method,
      // how many trials the study has, run or not (JSON: size; its trials counts those recorded)
      trials: s.size ?? s.trials,
      completed: s.completed,
      pruned: s.pruned,
      failed: s.failed,
      interrupted: s.interrupted,
      metric: s.metric === null ? null : `${s.metric} (${s.goal === "maximize" ? "max" : "min"})`,
      best: s.best?.value ?? null,
      "best trial": s.best ? `${s.best.index} ${s.best.id.slice(0, 10)}` : null,
      "best config": s.best ? canonicalJson(s.best.config).trim() : null,
      last: s.last,
    }));
    const columns = ["sweep", "method", "trials", "completed", "pruned", "failed", "interrupted", "metric", "best", "best trial", "best config", "last"];
    ctx.io.stdout(renderRows(format, columns, rows, ctx.io.columns));
    return 0;
  },
});

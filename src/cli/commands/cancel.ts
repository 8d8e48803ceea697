import { cancel } from "../../api/cancel.js";
import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { outputFormat, strings, withFormat } from "../options.js";

export const cancelCommand = defineCommand({
  command: "cancel <what>",
  describe: "cancel a sweep submitted with run --on slurm (by sweep id, job id or one task: 1234_5), through scancel",
  builder: (y) =>
    withFormat(y)
      .positional("what", { type: "string", describe: "a sweep id (or 4+ of its first characters), a job id, or JOB_TASK" })
      .example("git exp cancel 1a2b3c4d", "the whole sweep: pending trials never run, running ones are recorded as interrupted")
      .example("git exp cancel 1234_5", "one trial of job 1234"),
  run: async (args, ctx) => {
    const c = await cancel(ctx.ws, { what: strings(args.what)[0] ?? "" });
    const what = c.target === c.job ? `job ${c.target}` : `task ${c.target}`;
    if (outputFormat(args) === "json") ctx.io.stdout(renderJson({ cancelled: c.cancelled ? c.target : null, already_ended: !c.cancelled, sweep: c.sweep, job: c.job }));
    else if (c.cancelled) ctx.io.stdout(`cancelled ${what} (sweep ${c.sweep})\n`);
    else ctx.io.stdout(`${what} of sweep ${c.sweep} has already ended; nothing to cancel\n`);
    return 0;
  },
});

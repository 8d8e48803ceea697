import { executorNamed } from "../../capture/executors/executors.js";
import { listStudies, readStudy, studyDir, type Study } from "../../capture/study.js";
import { AmbiguousError, NotFoundError, UsageError } from "../../core/errors.js";
import { renderJson } from "../../report/format.js";
import type { CommandDef } from "../context.js";
import { outputFormat, strings, withFormat } from "../options.js";

export const cancelCommand: CommandDef = {
  command: "cancel <what>",
  describe: "cancel a sweep submitted with run --on slurm (by sweep id, job id or one task: 1234_5), through scancel",
  builder: (y) =>
    withFormat(y)
      .positional("what", { type: "string", describe: "a sweep id (or 4+ of its first characters), a job id, or JOB_TASK" })
      .example("git exp cancel 1a2b3c4d", "the whole sweep: pending trials never run, running ones are recorded as interrupted")
      .example("git exp cancel 1234_5", "one trial of job 1234"),
  run: async (args, ctx) => {
    const what = strings(args["what"])[0] ?? "";
    const repo = await ctx.repo();
    const { study, target } = await findTarget(repo, what);
    const executor = executorNamed(study.executor);
    await executor.cancel([target], ctx.io.env);
    if (outputFormat(args) === "json") ctx.io.stdout(renderJson({ cancelled: target, sweep: study.sweep, job: study.job ?? null }));
    else ctx.io.stdout(`cancelled ${target === study.job ? `job ${target}` : `task ${target}`} (sweep ${study.sweep})\n`);
    return 0;
  },
};

/** A sweep id (prefix), or one of the studies' job ids, alone or with a task: `1234`, `1234_5`. */
async function findTarget(repo: Awaited<ReturnType<import("../context.js").Context["repo"]>>, what: string): Promise<{ study: Study; target: string }> {
  if (!/^[0-9a-f]{4,}$/.test(what) && !/^\d+(_\d+)?$/.test(what)) {
    throw new UsageError(`cancel takes a sweep id (hex, 4+ characters), a job id or JOB_TASK (1234_5), not '${what}'`);
  }
  const sweeps = await listStudies(repo);
  const studies = (await Promise.all(sweeps.map((s) => readStudy(studyDir(repo, s)).catch(() => undefined)))).filter((s): s is Study => s?.job !== undefined);
  const job = what.split("_")[0]!;
  const byJob = /^\d+(_\d+)?$/.test(what) ? studies.find((s) => s.job === job) : undefined;
  if (byJob) {
    const task = what.includes("_") ? Number(what.split("_")[1]) : undefined;
    if (task !== undefined && task >= byJob.size) throw new NotFoundError(`job ${job} (sweep ${byJob.sweep}) has tasks 0-${byJob.size - 1}, not ${task}`);
    return { study: byJob, target: what };
  }
  const bySweep = studies.filter((s) => s.sweep.startsWith(what));
  if (bySweep.length > 1) throw new AmbiguousError(what, bySweep.map((s) => s.sweep));
  const one = bySweep[0];
  if (!one) throw new NotFoundError(`no sweep or job '${what}' was submitted from this repository (git exp run --on slurm); see git exp ls --running`);
  return { study: one, target: one.job! };
}

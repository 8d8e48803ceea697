import { runOn } from "../../api/run-on.js";
import type { RunRequest } from "../../api/run.js";
import { renderJson } from "../../report/format.js";
import type { Context } from "../context.js";
import { optString, outputFormat } from "../options.js";
import { printSummary, type RunArgs } from "./run.js";
import { sweepFileOf } from "./run-sweep.js";

/** `git exp run --on slurm`: submit the planned points as one job; with --wait, summarise as a local sweep. */
export async function submitRun(ctx: Context, args: RunArgs, request: RunRequest, on: string): Promise<number> {
  const { io } = ctx;
  const wait = Boolean(args.wait);
  const { submission: sub, workers, summary } = await runOn(ctx.ws, {
    run: request,
    on,
    schedulerOptions: { slurm: optString(args.slurm) },
    push: optString(args.push),
    sweep: args.sweep === undefined ? undefined : sweepFileOf(args, request),
    wait,
    onSubmitted: (s) => {
      if (wait) io.stderr(`git exp: submitted job ${s.job}, sweep ${s.sweep} (${count(s.trials, "trial")}); waiting for it\n`);
    },
    onState: (t) => io.stderr(`git exp: ${t}\n`),
  });
  if (!summary) {
    if (outputFormat(args) === "json") io.stdout(renderJson({ job: sub.job, sweep: sub.sweep, trials: sub.trials, study: sub.dir }));
    else io.stdout(`submitted job ${sub.job}, sweep ${sub.sweep} (${count(sub.trials, "trial")}${workers !== undefined ? `, ${count(workers, "worker")}` : ""})\n`);
    const push = sub.study.push;
    if (push) io.stderr(`git exp: each task pushes its experiment to ${push.url}: 'git exp pull' brings them here; stop it with 'git exp cancel ${sub.sweep}'; logs on each node in ${sub.logs}\n`);
    else io.stderr(`git exp: follow it with 'git exp ls --running', stop it with 'git exp cancel ${sub.sweep}'; logs in ${sub.dir}\n`);
    return 0;
  }
  printSummary(ctx, args, summary, sub.trials);
  return summary.exitCode;
}

/** `1 trial`, `3 trials`. */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

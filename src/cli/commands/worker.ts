import { resolve } from "node:path";
import { RunController } from "../../capture/run.js";
import { runWorker } from "../../capture/worker.js";
import { executorNamed } from "../../capture/executors/executors.js";
import { readStudy } from "../../capture/study.js";
import type { CommandDef } from "../context.js";
import { strings } from "../options.js";

/** What a job script runs: one worker of a study `git exp run --on` submitted. Not for users. */
export const workerCommand: CommandDef = {
  command: "worker <study>",
  describe: false,
  builder: (y) => y.positional("study", { type: "string", describe: "the study's folder" }),
  run: async (args, ctx) => {
    const dir = resolve(ctx.io.cwd, strings(args["study"])[0] ?? "");
    const study = await readStudy(dir);
    const executor = executorNamed(study.executor);
    const self = executor.self(ctx.io.env);
    const controller = new RunController();
    const onSignal = (sig: NodeJS.Signals): void => {
      // The scheduler signals every process of the job, the command too: not sent twice.
      if (self && sig === "SIGTERM") controller.why ??= executor.whyStopped(self, ctx.io.env).catch(() => undefined);
      controller.interrupt(sig, self !== undefined);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const store = await ctx.store();
      const work = study.search ? (await import("../../api/cluster-search.js")).runSearchWorker : runWorker;
      const result = await work(store, dir, ctx.io.env, {
        onWarning: (t) => ctx.io.stderr(`git exp: warning: ${t}\n`),
        // The command's output goes to the job's log, as it would without git-exp.
        onOutput: (stream, chunk) => ctx.io.writeBytes?.(stream, chunk),
      }, controller);
      for (const o of result.outcomes) {
        ctx.io.stderr(`git exp: trial ${o.index + 1} of sweep ${study.sweep}: experiment ${o.id} recorded (${o.status}, exit code ${o.exitCode})\n`);
      }
      return result.exitCode;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
};

import { worker } from "../../api/worker.js";
import { defineCommand } from "../context.js";
import { strings } from "../options.js";
import { onStopSignals } from "../signals.js";
import { readStdin } from "../stdin.js";

/** What a job script runs: one worker of a study `git exp run --on` submitted. Not for users. */
export const workerCommand = defineCommand({
  command: "worker [study]",
  describe: false,
  builder: (y) =>
    y
      .positional("study", { type: "string", describe: "the study's folder" })
      .option("stdin", { type: "boolean", describe: "read the study from stdin (a --push study: the nodes do not share the repository)" }),
  run: async (args, ctx) => {
    const result = await worker(ctx.ws, {
      study: strings(args.study)[0],
      studyText: args.stdin ? await readStdin(ctx.io) : undefined,
      hooks: {
        onWarning: (t) => ctx.io.stderr(`git exp: warning: ${t}\n`),
        // The command's output goes to the job's log, as it would without git-exp.
        onOutput: (stream, chunk) => ctx.io.writeBytes?.(stream, chunk),
      },
      onSignal: onStopSignals,
    });
    for (const o of result.outcomes) {
      ctx.io.stderr(`git exp: trial ${o.index + 1} of sweep ${result.sweep}: experiment ${o.id} recorded (${o.status}, exit code ${o.exitCode})\n`);
    }
    return result.exitCode;
  },
});

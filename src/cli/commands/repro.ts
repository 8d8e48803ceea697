import { StringDecoder } from "node:string_decoder";
import { repro, type ForeignCommand } from "../../api/repro.js";
import { RunController } from "../../api/run.js";
import { renderJson } from "../../report/format.js";
import { renderRepro } from "../../report/repro.js";
import { UsageError } from "../../core/errors.js";
import { defineCommand, type Context } from "../context.js";
import { firstLine } from "../stdin.js";
import { useColor } from "../io.js";
import { interruptOnSignals } from "../signals.js";
import { tolerance, withJson, withTolerance } from "../options.js";
import { shortId } from "../../core/ids.js";

export const reproCommand = defineCommand({
  command: "repro <experiment>",
  describe: "rerun an experiment exactly as recorded and say whether its results reproduce",
  builder: (y) =>
    withTolerance(withJson(y))
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .option("allow-changed-inputs", { type: "boolean", describe: "rerun even when recorded inputs are missing or changed" })
      .option("yes", { alias: "y", type: "boolean", describe: "run a command this clone did not record without asking" })
      .example("git exp repro iris-3", "rerun it in a temporary worktree; exit 0 reproduced, 1 not"),
  run: async (args, ctx) => {
    const yes = Boolean(args.yes);
    // Ctrl-C stops the command and lets the temporary worktree be removed, instead of killing us.
    const controller = new RunController();
    const decoder = new StringDecoder("utf8");
    let stopListening = (): void => undefined;
    const { verdict: v, rerun: r } = await repro(ctx.ws, {
      experiment: String(args.experiment),
      ...tolerance(args),
      allowChangedInputs: Boolean(args["allow-changed-inputs"]),
      confirm: (foreign) => confirmCommand(ctx, foreign, yes),
      onStart: (id) => {
        ctx.io.stderr(`rerunning ${shortId(id)}...\n`);
        stopListening = interruptOnSignals(controller, ctx.io);
      },
      controller,
      hooks: {
        // stdout carries the verdict: the command's output goes to stderr
        onOutput: (_stream, chunk) => (ctx.io.writeBytes ? ctx.io.writeBytes("stderr", chunk) : ctx.io.stderr(decoder.write(chunk))),
        onWarning: (t) => ctx.io.stderr(`git exp: warning: ${t}\n`),
      },
    }).finally(() => stopListening());
    for (const p of r.inputProblems) ctx.io.stderr(`git exp: warning: input ${p.path} is ${p.kind}\n`);
    ctx.io.stderr(`recorded rerun ${r.id}${r.experiment.meta.name ? ` as ${r.experiment.meta.name}` : ""}${r.status === "exists" ? " (already recorded)" : ""}\n`);
    ctx.io.stdout(args.json ? renderJson(v) : renderRepro(v, { color: useColor(ctx.io), width: ctx.io.columns }));
    return v.reproduced ? 0 : 1;
  },
});

/**
 * Someone else's command runs only when the user says so: on a terminal they are shown what
 * would run and asked; without one, only --yes lets it run.
 */
async function confirmCommand(ctx: Context, foreign: ForeignCommand, yes: boolean): Promise<void> {
  if (yes) return;
  const shown = [
    `experiment ${shortId(foreign.id)} was not recorded in this clone: ${foreign.why}. repro would run`,
    `  command:        ${JSON.stringify(foreign.command)}`,
    `  source commit:  ${foreign.commit ?? "(none)"}`,
    `  working folder: ${foreign.folder} (in a temporary checkout of that commit)`,
  ].join("\n");
  if (!ctx.io.stdinIsTTY) throw new UsageError(`${shown}\nread it, then pass --yes to run it (no terminal to ask on)`);
  ctx.io.stderr(`${shown}\nrun it? [y/N] `);
  if (!/^\s*y(es)?\s*$/i.test(await firstLine(ctx.io))) throw new UsageError("not run: you did not answer yes");
}

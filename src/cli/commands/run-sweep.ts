import { flattenMetrics } from "../../core/experiment.js";
import { canonicalJson } from "../../core/json.js";
import { RunController, type RunRequest } from "../../api/run.js";
import { planSweep, sweep, type SweepFileRequest, type SweepSummary } from "../../api/sweep.js";
import { renderJson } from "../../report/format.js";
import { renderSweepSummary } from "../../report/run-status.js";
import type { Context } from "../context.js";
import { optNumber, outputFormat, positiveInt, type FormatArgs } from "../options.js";
import { interruptOnSignals } from "../signals.js";
import { RunView, type RunArgs } from "./run.js";
import { shortId } from "../../core/ids.js";

/** `git exp run --sweep FILE -- CMD`: every refusal first (the file, the options), then the study. */
export async function runSweepCommand(args: RunArgs, ctx: Context, request: RunRequest): Promise<number> {
  const p = await planSweep(ctx.ws, sweepFileOf(args, request));
  const controller = new RunController();
  const stopListening = interruptOnSignals(controller, ctx.io);
  const view = new RunView(ctx.io, p.study.size, p.plan.jobs);
  let summary: SweepSummary;
  try {
    summary = await sweep(ctx.ws, p, view.hooks(), controller);
  } finally {
    stopListening();
    view.clear();
  }
  printSweep(ctx, args, summary);
  return summary.exitCode;
}

/** `--sweep FILE`, `--trials N`, `--sampler-seed N` as the api takes them. */
export function sweepFileOf(args: Pick<RunArgs, "sweep" | "trials" | "sampler-seed">, request: RunRequest): SweepFileRequest & { run: RunRequest } {
  return { file: String(args.sweep), trials: positiveInt(args.trials, "trials"), samplerSeed: optNumber(args["sampler-seed"], "sampler-seed"), run: request };
}

function printSweep(ctx: Context, args: FormatArgs, s: SweepSummary): void {
  const { io } = ctx;
  const format = outputFormat(args);
  const rows = s.outcomes.map((o) => ({
    index: o.index,
    id: o.id,
    status: o.pruned && o.status === "interrupted" ? "pruned" : o.status,
    exitCode: o.exitCode,
    durationSeconds: o.durationSeconds,
    varying: o.varying,
    results: Object.fromEntries(flattenMetrics(o.results)),
  }));
  if (format === "json") {
    io.stdout(
      renderJson({
        sweep: s.studyId,
        method: s.method,
        trials_before: s.before,
        size: s.size,
        trials: rows.map((r, i) => ({
          index: r.index + 1,
          id: r.id,
          status: s.outcomes[i]!.status,
          exit_code: r.exitCode,
          duration_s: Math.round(r.durationSeconds * 1000) / 1000,
          varying: r.varying,
          results: r.results,
          ...(s.outcomes[i]!.pruned ? { pruned: { rule: s.outcomes[i]!.pruned!.rule, at_step: s.outcomes[i]!.pruned!.atStep } } : {}),
        })),
        stopped_early: s.stoppedEarly,
        failed: s.failed,
        best: s.best ?? null,
      }),
    );
  } else if (rows.length > 0) io.stdout(renderSweepSummary(rows, format, io.columns));
  const completed = s.outcomes.filter((o) => o.status === "completed").length;
  const parts = [`${s.outcomes.length} trial(s) run`, `${completed} completed`, `${s.stoppedEarly} stopped early`, `${s.failed} failed`];
  const interrupted = s.outcomes.length - completed - s.stoppedEarly - s.failed;
  if (interrupted > 0) parts.push(`${interrupted} interrupted`);
  io.stderr(`git exp: sweep ${s.studyId} (${s.method}${s.before ? `, ${s.before} trial(s) there before` : ""}): ${parts.join(", ")}\n`);
  if (s.best && s.metric) {
    io.stderr(`git exp: best so far: trial ${s.best.index} (${shortId(s.best.id)}), ${s.metric.name} = ${s.best.value}, config ${canonicalJson(s.best.config).trim()}\n`);
  }
  if (s.outcomes.length === 0 && !s.best) io.stderr(`git exp: the study is complete (${s.size} trials); nothing to run\n`);
  io.stderr(`git exp: its trials: git exp ls --sweep ${s.studyId.slice(0, 8)}; all studies: git exp sweeps\n`);
}

import { StringDecoder } from "node:string_decoder";
import { UsageError } from "../../core/errors.js";
import { flattenMetrics } from "../../core/experiment.js";
import { plan as planOf, run, RunController, type RunHooks, type RunOutcome, type RunRequest, type RunSummary } from "../../api/run.js";
import { renderJson } from "../../report/format.js";
import { Progress } from "../../report/progress.js";
import { renderStatusLine, renderSweepSummary } from "../../report/run-status.js";
import type { Argv } from "yargs";
import { defineCommand, type ArgsOf, type Context } from "../context.js";
import type { IO } from "../io.js";
import { optNumber, optString, outputFormat, positiveInt, strings, withFormat, type FormatArgs } from "../options.js";
import { interruptOnSignals } from "../signals.js";
import { shortId } from "../../core/ids.js";

/** run's options: run-sweep and run-on read them too. */
function runOptions(y: Argv) {
  return withFormat(y)
      .usage("git exp run [options] -- <command> [args...]")
      .positional("command", { type: "string", array: true, describe: "the command to run, after --" })
      .option("config", { type: "string", describe: "parameters from a JSON or YAML file" })
      .option("param", { alias: "p", type: "string", describe: "key.path=value, or key=v1,v2,... to sweep (repeatable)" })
      .option("grid", { type: "string", describe: "sweep grid file: {\"lr\": [0.1, 0.01], ...} (JSON or YAML)" })
      .option("seed", { type: "string", describe: "sets config.seed, GIT_EXP_SEED and PYTHONHASHSEED (N or N1,N2,...)" })
      .option("name", { type: "string", describe: "a name for the experiment (a sweep adds -1, -2, ...)" })
      .option("tag", { type: "string", describe: "a tag (repeatable)" })
      .option("message", { alias: "m", type: "string", describe: "a note about the experiment" })
      .option("results", { type: "string", describe: "metrics JSON file the command writes: the final results" })
      .option("input", { type: "string", describe: "data file or folder the run reads (sha256, cached)" })
      .option("output", { type: "string", describe: "file or folder the run writes (sha256)" })
      .option("store-output", { type: "string", describe: "an output also kept in the experiment under artifacts/" })
      .option("store-max-size", { type: "string", describe: "largest file --store-output keeps (default 1M)" })
      .option("env", { type: "string", describe: "an environment variable to record beyond the allow-list" })
      .option("require-clean", { type: "boolean", describe: "refuse to run with uncommitted changes" })
      .option("jobs", { alias: "j", type: "string", describe: "sweep points run at a time (default 1)" })
      .option("fail-fast", { type: "boolean", describe: "stop a sweep at its first failed point" })
      .option("refresh-env", { type: "boolean", describe: "probe the machine again instead of using the cache" })
      .option("system-interval", { type: "string", describe: "seconds between samples of CPU, memory and GPUs over time (default 10; the first at 1 s)" })
      .option("system-metrics", { type: "boolean", default: true, describe: "sample system metrics over time (--no-system-metrics: off)" })
      .option("on", { type: "string", describe: "hand the points to a scheduler: slurm (one array job; -j N: at most N at once)" })
      .option("slurm", { type: "string", describe: "sbatch options for --on slurm, as one string: \"--partition=gpu --time=4:00:00\"" })
      .option("wait", { type: "boolean", describe: "with --on: wait for the job and print the sweep's summary" })
      .option("push", { type: "string", describe: "with --on slurm, for nodes that do not share this repository: each task clones REMOTE, runs, and pushes its experiment there" })
      .option("sweep", { type: "string", describe: "a W&B sweep file (grid, random or bayes; early_terminate): run its study" })
      .option("trials", { type: "string", describe: "with --sweep: trials in all (overrides run_cap)" })
      .option("sampler-seed", { type: "string", describe: "with --sweep: seeds the sampler, so the same results give the same trials" })
      .example("git exp run -- python train.py", "run it, record config, metrics, code version, environment and log")
      .example("git exp run --name lr -p lr=0.1,0.01 -p epochs=10,40 -j 2 -- python train.py", "a sweep: four runs, two at a time")
      .example("git exp run --config params.yaml --seed 1,2,3 --input data/ --output model.pt -- python train.py", "three seeds of one config, data and model checksummed");
}

/** What run's builder declares. */
export type RunArgs = ArgsOf<typeof runOptions>;

export const runCommand = defineCommand({
  command: "run [command..]",
  describe: "run a command (after --) and record it as an experiment; -p k=v1,v2 sweeps",
  builder: runOptions,
  run: async (args, ctx) => {
    const request = toRequest(args, ctx.io);
    const on = optString(args.on);
    if (on === undefined) {
      const given = (["slurm", "wait", "push"] as const).find((k) => args[k] !== undefined);
      if (given) throw new UsageError(`--${given} goes with --on slurm`);
    }
    if (args.sweep === undefined && (args.trials !== undefined || args["sampler-seed"] !== undefined)) {
      throw new UsageError("--trials and --sampler-seed go with --sweep FILE");
    }
    if (on === undefined && args.sweep !== undefined) {
      const { runSweepCommand } = await import("./run-sweep.js");
      return runSweepCommand(args, ctx, request);
    }
    if (on !== undefined) {
      const { submitRun } = await import("./run-on.js");
      return submitRun(ctx, args, request, on);
    }
    await ctx.store();
    const plan = await planOf(ctx.ws, request);
    const controller = new RunController();
    const stopListening = interruptOnSignals(controller, ctx.io);
    const view = new RunView(ctx.io, plan.points.length, plan.jobs);
    let summary: RunSummary;
    try {
      summary = await run(ctx.ws, plan, view.hooks(), controller);
    } finally {
      stopListening();
      view.clear();
    }
    printSummary(ctx, args, summary, plan.points.length);
    return summary.exitCode;
  },
});

function toRequest(args: RunArgs, io: IO): RunRequest {
  const command = strings(args.command);
  // yargs leaves everything after -- in _, behind the command's own name
  const dashed = strings(args._).slice(1);
  const storeMax = optString(args["store-max-size"]);
  return {
    command: [...command, ...dashed],
    cwd: io.cwd,
    environ: io.env,
    configFile: optString(args.config),
    params: strings(args.param),
    gridFile: optString(args.grid),
    seed: optString(args.seed),
    name: optString(args.name),
    message: optString(args.message),
    tags: strings(args.tag),
    resultsFile: optString(args.results),
    inputs: strings(args.input),
    outputs: strings(args.output),
    storeOutputs: strings(args["store-output"]),
    storeMaxBytes: storeMax === undefined ? undefined : parseSize(storeMax),
    envNames: strings(args.env),
    requireClean: Boolean(args["require-clean"]),
    jobs: positiveInt(args.jobs, "jobs"),
    failFast: Boolean(args["fail-fast"]),
    refreshEnv: Boolean(args["refresh-env"]),
    systemIntervalS: optNumber(args["system-interval"], "system-interval"),
    noSystemMetrics: args["system-metrics"] === false,
  };
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--store-max-size ${text}: give a size such as 500K, 10M or 1G`);
  const unit = (m[2] ?? "b")[0]!.toLowerCase();
  const mult = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

/** What the terminal shows while commands run: their output, a status line, a sweep's progress. */
export class RunView {
  private statusShown = false;
  private lineOpen = false;
  private lastOutput = 0;
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly progress: Progress;
  private readonly terminal: boolean;

  constructor(
    private readonly io: IO,
    private readonly total: number,
    private readonly jobs: number,
  ) {
    this.terminal = io.stderrIsTTY;
    this.progress = new Progress(io.stderr, this.terminal && jobs > 1, "sweep", 0);
  }

  hooks(): RunHooks {
    return {
      onOutput: (stream, chunk) => this.output(stream, chunk),
      onTick: (p) => {
        // Only over a quiet, finished line: never on top of the child's own progress bar.
        if (!this.terminal || this.jobs > 1 || this.lineOpen || Date.now() - this.lastOutput < 1000) return;
        this.io.stderr(`\r\x1b[K${renderStatusLine(p, this.io.columns)}`);
        this.statusShown = true;
      },
      onPointEnd: (o, done, total) => this.pointEnd(o, done, total),
      onWarning: (t) => {
        this.clear();
        this.io.stderr(`git exp: warning: ${t}\n`);
      },
    };
  }

  private output(stream: "stdout" | "stderr", chunk: Buffer): void {
    this.clear();
    if (this.io.writeBytes) this.io.writeBytes(stream, chunk);
    else this[stream](this.decoders[stream].write(chunk));
    this.lastOutput = Date.now();
    this.lineOpen = chunk[chunk.length - 1] !== 10;
  }

  private stdout(t: string): void {
    this.io.stdout(t);
  }

  private stderr(t: string): void {
    this.io.stderr(t);
  }

  private pointEnd(o: RunOutcome, done: number, total: number): void {
    this.clear();
    if (this.lineOpen) this.io.stderr("\n");
    this.lineOpen = false;
    const what = `${total > 1 ? `[${o.index + 1}/${total}] ` : ""}experiment ${shortId(o.id)}`;
    const how = `${o.status}, exit code ${o.exitCode}, ${o.durationSeconds.toFixed(1)} s${o.write === "exists" ? ", already recorded" : ""}`;
    this.io.stderr(`git exp: ${what} recorded (${how})\n`);
    if (o.status !== "completed" && this.jobs > 1 && o.logTail) {
      this.io.stderr(o.logTail.split("\n").map((l) => `  | ${l}`).join("\n") + "\n");
    }
    this.progress.update(done, total);
  }

  clear(): void {
    if (this.statusShown) this.io.stderr("\r\x1b[K");
    this.statusShown = false;
    this.progress.finish();
  }
}

/** One run as --json gives it: the keys and rounding of experiment.json (duration to the ms). */
function pointJson(o: { id: string; status: string; exitCode: number | null; durationSeconds: number; results: Record<string, number | null> }): Record<string, unknown> {
  return { id: o.id, status: o.status, exit_code: o.exitCode, duration_s: Math.round(o.durationSeconds * 1000) / 1000, results: o.results };
}

export function printSummary(ctx: Context, args: FormatArgs, s: RunSummary, total: number): void {
  const { io } = ctx;
  const format = outputFormat(args);
  const rows = s.outcomes.map((o) => ({
    index: o.index,
    id: o.id,
    status: o.status,
    exitCode: o.exitCode,
    durationSeconds: o.durationSeconds,
    varying: o.varying,
    results: Object.fromEntries(flattenMetrics(o.results)),
  }));
  if (total === 1) {
    const o = rows[0];
    if (!o) return;
    if (format === "json") io.stdout(renderJson(pointJson(o)));
    else io.stdout(o.id + "\n");
    return;
  }
  if (format === "json") io.stdout(renderJson(rows.map((r) => ({ index: r.index + 1, ...pointJson(r), varying: r.varying }))));
  else io.stdout(renderSweepSummary(rows, format, io.columns));
  const failed = s.outcomes.filter((o) => o.status !== "completed").length;
  io.stderr(`git exp: sweep of ${total}: ${s.outcomes.length - failed} completed, ${failed} failed or interrupted${s.notRun ? `, ${s.notRun} not run` : ""}\n`);
}

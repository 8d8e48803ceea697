import { readStdin } from "../stdin.js";
import { InvalidInputError, UsageError } from "../../core/errors.js";
import { documentToExperiment } from "../../core/document.js";
import { parseJson } from "../../core/json.js";
import { STATUSES, type Status } from "../../core/experiment.js";
import { recordDocumentIn, recordFiles as recordFromFiles, type RecordResult } from "../../api/record.js";
import { renderJson } from "../../report/format.js";
import { defineCommand, type Context } from "../context.js";
import { fileOrDash, optString, strings, withJson } from "../options.js";
import { shortId } from "../../core/ids.js";

export const recordCommand = defineCommand({
  command: "record [document]",
  describe: "record an experiment from config and results files, or - for a whole document on stdin",
  builder: (y) =>
    withJson(y)
      .positional("document", { type: "string", describe: "- to read one experiment document (JSON) from stdin" })
      .option("config", { type: "string", describe: "config JSON file (the parameters; default none: {})" })
      .option("results", { type: "string", describe: "results JSON file (final metrics)" })
      .option("series", { type: "string", describe: 'metric history: JSON lines of {"step": n, "metric": value}' })
      .option("name", { type: "string", describe: "a name for the experiment" })
      .option("tag", { type: "string", array: true, describe: "a tag (repeatable)" })
      .option("message", { alias: "m", type: "string", describe: "a note about the experiment" })
      .option("status", { type: "string", choices: [...STATUSES], describe: "how the run ended (default completed)" })
      .option("input", { type: "string", array: true, describe: "data file or folder the run read (checksummed)" })
      .option("output", { type: "string", array: true, describe: "artifact the run wrote (checksummed)" })
      .option("metrics", { type: "string", describe: "with -: a metrics log as git exp run reads GIT_EXP_METRICS (series; results when the document has none)" })
      .option("capture", { type: "boolean", describe: "with -: also capture what git exp run does (env.json, patch.diff, source.path, secrets redacted)" })
      .example("git exp record --config config.json --results results.json --name try-1", "parameters and final metrics from two JSON files")
      .example("git exp record --results results.json --series metrics.jsonl", "no parameters: metrics and their history")
      .example(`echo '${DOCUMENT_EXAMPLE}' | git exp record -`, "one whole document on stdin"),
  run: async (args, ctx) => {
    const doc = fileOrDash(args.document);
    if (doc !== undefined && doc !== "-") {
      throw new UsageError(`unexpected argument '${doc}': give --config and --results, or - to read a document`);
    }
    const result = doc === "-" ? await recordStdin(args, ctx) : await recordFiles(args, ctx);
    const { io } = ctx;
    if (args.json) io.stdout(renderJson({ id: result.id, status: result.status, config_hash: result.configHash }));
    else io.stdout(result.id + "\n");
    if (result.status === "exists") io.stderr(`experiment ${shortId(result.id)} was already recorded; nothing changed\n`);
    return 0;
  },
});

/** What record's builder declares. */
interface RecordArgs {
  config?: string | undefined;
  results?: string | undefined;
  series?: string | undefined;
  name?: string | undefined;
  message?: string | undefined;
  tag?: string[] | undefined;
  status?: Status | undefined;
  input?: string[] | undefined;
  output?: string[] | undefined;
  metrics?: string | undefined;
  capture?: boolean | undefined;
}

async function recordFiles(args: RecordArgs, ctx: Context): Promise<RecordResult> {
  for (const only of ["metrics", "capture"] as const) {
    if (args[only] !== undefined) throw new UsageError(`--${only} goes with - (a document on stdin); with --config and --results use --series`);
  }
  return recordFromFiles(ctx.ws, {
    configFile: optString(args.config),
    resultsFile: optString(args.results) ?? "",
    seriesFile: optString(args.series),
    name: optString(args.name),
    message: optString(args.message),
    tags: strings(args.tag),
    status: optString(args.status) as Status | undefined,
    inputs: strings(args.input),
    outputs: strings(args.output),
  });
}

/** The smallest document `record -` takes: shown in its help and in its errors. */
const DOCUMENT_EXAMPLE = '{"experiment": {"name": "try-1"}, "config": {"lr": 0.1}, "results": {"acc": 0.93}}';

const DOCUMENT_SHAPE =
  `record - reads one experiment document (the shape each line of 'git exp export' has): an object with ` +
  `"experiment" (name, tags, message...; {} will do), "config" (the parameters) and "results" (the final metrics), ` +
  `optionally "series", "env", "inputs", "outputs" and "files". For example:\n  ${DOCUMENT_EXAMPLE}\n` +
  `(to record from separate files instead: git exp record --config config.json --results results.json)`;

async function recordStdin(args: RecordArgs, ctx: Context): Promise<RecordResult> {
  for (const files of ["config", "results", "series"] as const) {
    if (args[files] !== undefined) throw new UsageError(`--${files} goes with --config and --results, not with - (the document carries it)`);
  }
  const text = await readStdin(ctx.io);
  const metrics = optString(args.metrics);
  try {
    const exp = documentToExperiment(parseJson(text, { allowNonFinite: true, source: "stdin" }), "stdin");
    return await recordDocumentIn(ctx.ws, exp, {
      metricsFile: metrics,
      inputs: strings(args.input),
      outputs: strings(args.output),
      capture: Boolean(args.capture),
      onWarning: (t) => ctx.io.stderr(`git exp: warning: ${t}\n`),
    });
  } catch (e) {
    // Whatever is wrong with the document (not JSON, a missing part, a metric that is text), show its shape.
    if (e instanceof InvalidInputError) throw new InvalidInputError(`${e.message}\n${DOCUMENT_SHAPE}`, e.where, { cause: e });
    throw e;
  }
}

import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { importMlflowStore, importNdjson } from "../../api/import.js";
import { renderJson } from "../../report/format.js";
import { defineCommand, type Context } from "../context.js";
import { linesOf } from "../stdin.js";
import { fileOrDash, withJson } from "../options.js";

export const importCommand = defineCommand({
  command: "import <file>",
  describe: "import experiment documents, one JSON a line (FILE or - for stdin), or an MLflow file store (--from mlflow)",
  builder: (y) =>
    withJson(y)
      .positional("file", { type: "string", describe: "NDJSON file from 'git exp export', or -; with --from mlflow, the mlruns folder" })
      .option("from", { type: "string", choices: ["ndjson", "mlflow"], default: "ndjson", describe: "what FILE is" })
      .example("git exp export -o all.ndjson && git exp import all.ndjson", "the same experiments, the same ids, in another clone")
      .example("git exp import --from mlflow mlruns", "every run of an MLflow file store"),
  run: async (args, ctx) => {
    if (args.from === "mlflow") return runMlflow(String(args.file), Boolean(args.json), ctx);
    const given = fileOrDash(args.file) ?? "-";
    const file = given === "-" ? "-" : ctx.path(given);
    if (file !== "-") await access(file).catch(() => Promise.reject(new NotFoundError(`${file} does not exist`)));
    const source = file === "-" ? ctx.io.stdin() : createReadStream(file);
    const summary = await importNdjson(ctx.ws, refusingTables(linesOf(source), given));
    for (const b of summary.bad) ctx.io.stderr(`line ${b.line}: ${b.message} (line skipped)\n`);
    if (summary.reparented > 0) {
      ctx.io.stderr(
        `note: ${summary.reparented} experiments got a new id: their source commit is not in this repository, so they were recorded without it as parent (fetch that history first to keep the ids)\n`,
      );
    }
    if (summary.reidentified > 0) {
      ctx.io.stderr(
        `note: ${summary.reidentified} experiments got a new id: their original files were not in git-exp's canonical form, so their content was stored canonically under its own id\n`,
      );
    }
    if (args.json) ctx.io.stdout(renderJson(summary));
    else {
      ctx.io.stdout(
        `imported ${summary.created + summary.existing} of ${summary.read}: ${summary.created} new, ${summary.existing} already present, ${summary.bad.length} bad lines${summary.annotations ? `; ${summary.annotations} annotation events replayed` : ""}\n`,
      );
    }
    return summary.bad.length > 0 ? 2 : 0;
  },
});

/**
 * CSV and Parquet are what export writes for other tools, without what rebuilding an
 * experiment needs: refused once, at the first line (a Parquet file's magic, a CSV header)
 * or by the file's name, before anything is written, instead of one error per line.
 */
async function* refusingTables(lines: AsyncIterable<string>, given: string): AsyncGenerator<string> {
  let first = true;
  for await (const line of lines) {
    if (first && line.trim() !== "") {
      first = false;
      const format = tableFormat(line, given);
      if (format) {
        throw new InvalidInputError(
          `${given === "-" ? "stdin" : given} is ${format}: git exp import reads NDJSON (one experiment document a line, as 'git exp export' writes by default) ` +
            `or an MLflow file store (--from mlflow). ${format} is an export format for other tools: it lacks the series, files and environment an experiment is rebuilt from.`,
        );
      }
    }
    yield line;
  }
}

function tableFormat(firstLine: string, file: string): string | undefined {
  if (/\.parquet$/i.test(file) || firstLine.startsWith("PAR1")) return "Parquet";
  if (/\.(csv|tsv)$/i.test(file)) return "CSV";
  const text = firstLine.trim();
  return !text.startsWith("{") && /^[^{}]*[,\t][^{}]*$/.test(text) ? "CSV" : undefined;
}

async function runMlflow(path: string, json: boolean, ctx: Context): Promise<number> {
  const summary = await importMlflowStore(ctx.ws, path);
  for (const b of summary.bad) ctx.io.stderr(`run ${b.run}: ${b.reason} (run skipped)\n`);
  if (json) ctx.io.stdout(renderJson(summary));
  else {
    ctx.io.stdout(
      `imported ${summary.created + summary.existing} of ${summary.runs} MLflow runs: ${summary.created} new, ${summary.existing} already present, ${summary.skipped.length} deleted in MLflow, ${summary.bad.length} bad\n`,
    );
  }
  return summary.bad.length > 0 ? 2 : 0;
}

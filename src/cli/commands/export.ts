import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.js";
import { exportNdjson, exportTable } from "../../api/export.js";
import { tableToCsv } from "../../report/table.js";
import { defineCommand } from "../context.js";
import { optString, withSelection, selectionOf } from "../options.js";
import { checkWritable } from "../output-file.js";

export const exportCommand = defineCommand({
  command: "export",
  describe: "write experiments as NDJSON (lossless), CSV or Parquet (one row each, a column per param and metric)",
  builder: (y) =>
    withSelection(y)
      .option("format", { type: "string", choices: ["ndjson", "csv", "parquet"], default: "ndjson", describe: "output format" })
      .option("output", { alias: "o", type: "string", describe: "write to FILE instead of stdout (required for parquet)" })
      .example("git exp export -o all.ndjson", "lossless: git exp import recreates the same ids")
      .example("git exp export --format parquet --where \"created > 30d\" -o runs.parquet", "one row per experiment, for pandas or DuckDB"),
  run: async (args, ctx) => {
    const format = String(args.format);
    const given = optString(args.output);
    if (format === "parquet" && !given) throw new UsageError("parquet is binary: give -o FILE.parquet");
    const file = given ? resolve(ctx.io.cwd, given) : undefined;
    if (file) await checkWritable(file);
    const selection = selectionOf(args);
    let problems: string[];
    if (format === "ndjson") {
      let out: ReturnType<typeof createWriteStream> | undefined;
      const open = (): ((t: string) => void) => {
        if (!file) return ctx.io.stdout;
        const stream = (out = createWriteStream(file));
        return (t) => void stream.write(t);
      };
      ({ problems } = await exportNdjson(ctx.ws, selection, open));
      if (out) await new Promise((ok) => out!.end(ok));
    } else {
      const result = await exportTable(ctx.ws, selection);
      problems = result.problems;
      if (format === "csv") {
        const text = tableToCsv(result.table);
        if (file) await writeFile(file, text);
        else ctx.io.stdout(text);
      } else {
        const { writeParquet } = await import("../../report/parquet.js");
        await writeParquet(result.table, file!);
      }
    }
    // As the index does: what cannot be read is named and left out, the rest is the export.
    for (const p of problems) ctx.io.stderr(`warning: ${p}\n`);
    return 0;
  },
});

import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { NotFoundError } from "../../core/errors.js";
import { importDocuments } from "../../capture/import.js";
import { Progress } from "../../report/progress.js";
import { renderJson } from "../../report/format.js";
import type { CommandDef } from "../context.js";
import { linesOf } from "../stdin.js";
import { fileOrDash, withJson } from "../options.js";

export const importCommand: CommandDef = {
  command: "import <file>",
  describe: "import experiment documents, one JSON a line (FILE or - for stdin)",
  builder: (y) => withJson(y).positional("file", { type: "string", describe: "NDJSON file from 'git exp export', or -" }),
  run: async (args, ctx) => {
    const given = fileOrDash(args["file"]) ?? "-";
    const file = given === "-" ? "-" : ctx.path(given);
    if (file !== "-") await access(file).catch(() => Promise.reject(new NotFoundError(`${file} does not exist`)));
    const store = await ctx.store();
    const source = file === "-" ? ctx.io.stdin() : createReadStream(file);
    const progress = new Progress(ctx.io.stderr, ctx.io.stderrIsTTY, "importing");
    const summary = await importDocuments(store, linesOf(source), {
      environ: ctx.io.env,
      onProgress: (n) => progress.update(n, n),
    });
    progress.finish();
    for (const b of summary.bad) ctx.io.stderr(`line ${b.line}: ${b.message} (line skipped)\n`);
    if (summary.reparented > 0) {
      ctx.io.stderr(
        `note: ${summary.reparented} experiments got a new id: their source commit is not in this repository, so they were recorded without it as parent (fetch that history first to keep the ids)\n`,
      );
    }
    if (args["json"]) ctx.io.stdout(renderJson(summary));
    else {
      ctx.io.stdout(
        `imported ${summary.created + summary.existing} of ${summary.read}: ${summary.created} new, ${summary.existing} already present, ${summary.bad.length} bad lines\n`,
      );
    }
    return summary.bad.length > 0 ? 2 : 0;
  },
};

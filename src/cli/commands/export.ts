import { createWriteStream } from "node:fs";
import { UsageError } from "../../core/errors.js";
import { documentLine, experimentToDocument } from "../../core/document.js";
import type { CommandDef } from "../context.js";
import { optString } from "../options.js";

export const exportCommand: CommandDef = {
  command: "export",
  describe: "write every experiment as one JSON document a line (NDJSON)",
  builder: (y) =>
    y
      .option("format", { type: "string", choices: ["ndjson"], default: "ndjson", describe: "output format" })
      .option("output", { alias: "o", type: "string", describe: "write to FILE instead of stdout" }),
  run: async (args, ctx) => {
    const store = await ctx.store();
    const { refs, corrupt } = await store.list();
    for (const c of corrupt) ctx.io.stderr(`warning: ${c.ref} points to ${c.target}: corrupt ref, skipped\n`);
    const output = optString(args["output"]);
    const file = output === undefined ? undefined : ctx.path(output);
    const out = file ? createWriteStream(file) : undefined;
    if (out) await new Promise((ok, fail) => out.on("open", ok).on("error", (e) => fail(new UsageError(`cannot write ${file}: ${e.message}`))));
    const write = out ? (t: string) => void out.write(t) : ctx.io.stdout;
    let failed = 0;
    await store.readMany(
      refs.map((r) => r.id),
      (id, exp) => {
        if (exp instanceof Error) {
          failed++;
          ctx.io.stderr(`warning: ${id.slice(0, 12)} skipped: ${exp.message}\n`);
        } else write(documentLine(experimentToDocument(exp, id)));
      },
    );
    if (out) await new Promise((ok) => out.end(ok));
    return failed > 0 ? 4 : 0;
  },
};

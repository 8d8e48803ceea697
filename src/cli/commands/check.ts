import { appendFile, writeFile } from "node:fs/promises";
import { checkWritable } from "../output-file.js";
import { check, LIMIT_FLAGS, rulesFromLimits, type CheckReport } from "../../api/check.js";
import type { Requirement } from "../../core/rules.js";
import { checkMarkdown, checkText, githubAnnotations } from "../../report/check-report.js";
import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { optString, strings } from "../options.js";

export const checkCommand = defineCommand({
  command: "check",
  describe: "CI gate: compare a change's experiments with its base's, fail on a regression",
  builder: (y) => {
    let b = y
      .option("base", { type: "string", describe: "base ref (default: merge base with GITHUB_BASE_REF or origin/HEAD)" })
      .option("head", { type: "string", default: "HEAD", describe: "head ref" })
      .option("rules", { type: "string", describe: "rules file (default: gitexp.json at the repository root)" })
      .option("require", { type: "string", choices: ["head", "range", "none"], describe: "where head experiments must be" })
      .option("experiments", { type: "string", describe: "name glob selecting the experiments checked" })
      .option("alpha", { type: "string", describe: "with repeats on both sides, fail only when significant at this level" })
      .option("include-dirty", { type: "boolean", describe: "count runs of uncommitted code and failed or interrupted runs too" })
      .option("require-base", { type: "boolean", describe: "fail (exit 3) when the base has no experiments" })
      .option("format", { type: "string", choices: ["text", "md", "json"], describe: "report format (default: text on a terminal, md into a pipe or FILE)" })
      .option("output", { alias: "o", type: "string", describe: "also write the report to FILE (Markdown unless --format says)" });
    for (const f of LIMIT_FLAGS) b = b.option(f, { type: "string", array: true, describe: `METRIC=VALUE: a ${f} rule (repeatable)` });
    return b
      .example("git exp check --base origin/main", "the rules of gitexp.json; exit 1 on a regression")
      .example("git exp check --base main --min val.acc=0.9 --max-drop val.acc=0.01 --format text", "rules as flags");
  },
  run: async (args, ctx) => {
    const output = optString(args.output);
    if (output) await checkWritable(ctx.path(output));
    const limits = Object.fromEntries(LIMIT_FLAGS.map((f) => [f, strings(args[f])]));
    const report = await check(ctx.ws, {
      base: optString(args.base),
      head: optString(args.head),
      rulesFile: optString(args.rules),
      rules: rulesFromLimits(limits, optString(args.alpha)),
      require: optString(args.require) as Requirement | undefined,
      experiments: optString(args.experiments),
      includeDirty: Boolean(args["include-dirty"]),
      requireBase: Boolean(args["require-base"]),
    });
    const md = checkMarkdown(report);
    const format = optString(args.format) as ReportFormat | undefined;
    ctx.io.stdout(render(report, format ?? (ctx.io.stdoutIsTTY ? "text" : "md"), md, ctx.io.columns));
    if (output) await writeFile(ctx.path(output), render(report, format ?? "md", md, ctx.io.columns));
    if (ctx.io.env["GITHUB_ACTIONS"] === "true") {
      const summary = ctx.io.env["GITHUB_STEP_SUMMARY"];
      if (summary) await appendFile(summary, md + "\n");
      for (const line of githubAnnotations(report)) ctx.io.stderr(line + "\n");
    }
    if (report.missing) return 3;
    return report.pass ? 0 : 1;
  },
});

type ReportFormat = "text" | "md" | "json";

/** A terminal gets a plain table; a pipe, a file and the step summary get Markdown. */
function render(report: CheckReport, format: ReportFormat, md: string, columns: number): string {
  if (format === "json") return renderJson(report);
  return format === "text" ? checkText(report, Math.max(60, columns)) : md;
}


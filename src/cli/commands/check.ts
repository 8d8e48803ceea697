import { appendFile, writeFile } from "node:fs/promises";
import { checkWritable } from "../output-file.js";
import { UsageError } from "../../core/errors.js";
import { DEFAULT_REPEAT_KEYS, checkRule, type Requirement, type Rule, type Rules } from "../../core/rules.js";
import { runCheck } from "../../analysis/check.js";
import { loadCatalog } from "../../analysis/catalog.js";
import { welchPValue } from "../../analysis/welch.js";
import { loadRulesFile } from "../../capture/rules-file.js";
import { defaultBaseRef } from "../../store/history.js";
import type { CheckReport } from "../../analysis/check.js";
import { checkMarkdown, checkText, githubAnnotations } from "../../report/check-report.js";
import { renderJson } from "../../report/format.js";
import type { CommandDef, Context } from "../context.js";
import { optString, strings } from "../options.js";

const LIMIT_FLAGS = ["min", "max", "max-drop", "max-drop-pct", "max-rise", "max-rise-pct"] as const;

export const checkCommand: CommandDef = {
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
    const output = optString(args["output"]);
    if (output) await checkWritable(ctx.path(output));
    const store = await ctx.store();
    const rules = await rulesFrom(args, ctx);
    const baseRef = optString(args["base"]) ?? (await defaultBaseRef(store.repo, ctx.io.env));
    const candidates = await loadCatalog(store, undefined, rules.repeatKeys);
    const report = await runCheck(store, rules, candidates, {
      baseRef,
      headRef: optString(args["head"]) ?? "HEAD",
      requireBase: Boolean(args["require-base"]),
      pValue: welchPValue,
    });
    const md = checkMarkdown(report);
    const format = optString(args["format"]) as ReportFormat | undefined;
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
};

type ReportFormat = "text" | "md" | "json";

/** A terminal gets a plain table; a pipe, a file and the step summary get Markdown. */
function render(report: CheckReport, format: ReportFormat, md: string, columns: number): string {
  if (format === "json") return renderJson(report);
  return format === "text" ? checkText(report, Math.max(60, columns)) : md;
}

async function rulesFrom(args: Record<string, unknown>, ctx: Context): Promise<Rules> {
  const path = optString(args["rules"]);
  const file = await loadRulesFile(await ctx.repo(), path === undefined ? undefined : ctx.path(path));
  const flagged = flagRules(args);
  if (!file && flagged.length === 0) {
    throw new UsageError("no rules: write gitexp.json at the repository root, or give rules as flags (--min val.acc=0.9, --max-drop val.acc=0.01, ...)");
  }
  return {
    checks: flagged.length > 0 ? flagged : (file?.checks ?? []),
    require: (optString(args["require"]) as Requirement | undefined) ?? file?.require ?? "head",
    experiments: optString(args["experiments"]) ?? file?.experiments,
    configSchema: file?.configSchema,
    repeatKeys: file?.repeatKeys ?? [...DEFAULT_REPEAT_KEYS],
    includeDirty: Boolean(args["include-dirty"]) || (file?.includeDirty ?? false),
  };
}

function flagRules(args: Record<string, unknown>): Rule[] {
  const alphaText = optString(args["alpha"]);
  const alpha = alphaText === undefined ? undefined : Number(alphaText);
  if (alpha !== undefined && !(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha takes a level between 0 and 1, not ${alphaText}`);
  const rules: Rule[] = [];
  for (const flag of LIMIT_FLAGS) {
    for (const spec of strings(args[flag])) {
      const m = /^(.+)=([^=]+)$/.exec(spec);
      const value = m ? Number(m[2]) : NaN;
      if (!m || !Number.isFinite(value)) throw new UsageError(`--${flag} takes METRIC=NUMBER, not '${spec}'`);
      const rule: Rule = { metric: m[1]!, [flag.replace(/-/g, "_")]: value };
      if (alpha !== undefined && flag !== "min" && flag !== "max") rule.alpha = alpha;
      checkRule(rule, `--${flag} ${spec}`);
      rules.push(rule);
    }
  }
  return rules;
}

import { UsageError } from "../core/errors.js";
import { DEFAULT_REPEAT_KEYS, checkRule, type Requirement, type Rule, type Rules } from "../core/rules.js";
import { loadCatalog } from "../analysis/catalog.js";
import { runCheck } from "../analysis/check.js";
import type { CheckReport } from "../core/check-results.js";
import { welchPValue } from "../analysis/welch.js";
import { loadRulesFile } from "../capture/rules-file.js";
import { defaultBaseRef } from "../store/history.js";
import type { Workspace } from "./workspace.js";

export type { CheckReport, Rule, Rules };

/** The limit kinds a rule may carry, as flags spell them (`--max-drop val.acc=0.01`). */
export const LIMIT_FLAGS = ["min", "max", "max-drop", "max-drop-pct", "max-rise", "max-rise-pct"] as const;
export type LimitFlag = (typeof LIMIT_FLAGS)[number];

export interface CheckRequest {
  /** Base ref (default: the merge base with GITHUB_BASE_REF, or origin/HEAD). */
  base?: string;
  /** Head ref (default HEAD). */
  head?: string;
  /** A rules file (default: gitexp.json at the repository root). */
  rulesFile?: string;
  /** Rules given directly; when any, they replace the file's checks (its other settings stay). */
  rules?: Rule[];
  require?: Requirement;
  /** A name glob selecting the experiments checked. */
  experiments?: string;
  /** Count runs of uncommitted code and failed or interrupted runs too. */
  includeDirty?: boolean;
  /** Fail (report.missing) when the base has no experiments. */
  requireBase?: boolean;
}

/** `git exp check`: compare a change's experiments with its base's under the rules; report.pass false on a regression. */
export async function check(ws: Workspace, req: CheckRequest): Promise<CheckReport> {
  const store = await ws.store();
  const rules = await mergeRules(ws, req);
  const baseRef = req.base ?? (await defaultBaseRef(store.history, ws.env));
  const candidates = await loadCatalog(store, undefined, rules.repeatKeys);
  return runCheck(store.history, rules, candidates, { baseRef, headRef: req.head ?? "HEAD", requireBase: Boolean(req.requireBase), pValue: welchPValue });
}

/** The rules file and the rules given, merged: given checks replace the file's, given settings override. */
async function mergeRules(ws: Workspace, req: CheckRequest): Promise<Rules> {
  const file = await loadRulesFile(await ws.repo(), req.rulesFile === undefined ? undefined : ws.path(req.rulesFile));
  const given = req.rules ?? [];
  if (!file && given.length === 0) {
    throw new UsageError("no rules: write gitexp.json at the repository root, or give rules as flags (--min val.acc=0.9, --max-drop val.acc=0.01, ...)");
  }
  return {
    checks: given.length > 0 ? given : (file?.checks ?? []),
    require: req.require ?? file?.require ?? "head",
    experiments: req.experiments ?? file?.experiments,
    configSchema: file?.configSchema,
    repeatKeys: file?.repeatKeys ?? [...DEFAULT_REPEAT_KEYS],
    includeDirty: Boolean(req.includeDirty) || (file?.includeDirty ?? false),
  };
}

/**
 * Rules from `METRIC=VALUE` texts by limit kind (the command line's flags); `alpha` makes
 * the drop and rise limits fail only when significant. Each is checked as a rules file's is.
 */
export function rulesFromLimits(limits: Partial<Record<LimitFlag, string[]>>, alphaGiven?: number | string): Rule[] {
  const alpha = alphaGiven === undefined ? undefined : Number(alphaGiven);
  if (alpha !== undefined && !(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha takes a level between 0 and 1, not ${String(alphaGiven)}`);
  const rules: Rule[] = [];
  for (const flag of LIMIT_FLAGS) {
    for (const spec of limits[flag] ?? []) {
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

import { InvalidInputError, NotFoundError } from "../core/errors.js";
import { direction, globMatch, type Rule, type Rules } from "../core/rules.js";
import type { Entry } from "../core/catalog-entry.js";
import type { Better } from "../core/choices.js";
import { firstParentHistory, requireCommit, type CommitHistory } from "../store/history.js";
import type { RuleResult, CheckReport } from "../core/check-results.js";
import { shortId } from "../core/ids.js";

/** What a check needs to know of one experiment. */
export type Candidate = Pick<Entry, "id" | "name" | "createdAt" | "sourceCommit" | "groupKey" | "metrics" | "dirty" | "status">;

/** Two-sided p-value of a difference of means (Welch's t-test), or undefined without variance. */
export type PValue = (a: number[], b: number[]) => number | undefined;

export interface CheckOptions {
  baseRef: string;
  headRef: string;
  requireBase?: boolean;
  pValue?: PValue;
  /** How far back the base branch is searched for experiments. */
  historyLimit?: number;
}

/** Run the rules on the experiments of head (base..head) against those of the base. */
export async function runCheck(history: CommitHistory, rules: Rules, candidates: Candidate[], options: CheckOptions): Promise<CheckReport> {
  const headCommit = await requireCommit(history, options.headRef, "head");
  const baseTip = await requireCommit(history, options.baseRef, "base");
  const base = (await history.mergeBase(baseTip, headCommit)) ?? baseTip;
  const selected = rules.experiments ? candidates.filter((c) => c.name !== null && globMatch(rules.experiments!, c.name)) : candidates;
  if (rules.experiments && selected.length === 0 && candidates.length > 0) {
    throw new NotFoundError(`no experiment is named like '${rules.experiments}' (the experiments filter): nothing to check; fix the pattern, or leave it out to check every experiment`);
  }
  // Runs of uncommitted code are not runs of their commit, and failed runs measured nothing.
  const counted = rules.includeDirty ? selected : selected.filter((c) => !untrusted(c));
  const byCommit = groupBy(counted, (c) => c.sourceCommit ?? "");
  const range = new Set(await history.commitsBetween(base, headCommit));
  const onHead = (c: Candidate): boolean => (rules.require === "head" ? c.sourceCommit === headCommit : range.has(c.sourceCommit ?? ""));
  const head = counted.filter(onHead);
  const baseLine = await firstParentHistory(history, base, options.historyLimit ?? 500);
  const baseCommit = baseLine.find((c) => byCommit.has(c)) ?? null;
  const baseExps = baseCommit ? byCommit.get(baseCommit)! : [];
  checkMetricsExist(rules, selected);
  const report: CheckReport = {
    pass: true,
    base: { ref: options.baseRef, commit: base, experimentCommit: baseCommit, experiments: baseExps.map((c) => c.id) },
    head: { ref: options.headRef, commit: headCommit, experiments: head.map((c) => c.id) },
    results: [],
    notes: [],
    trends: trends(rules, baseLine, byCommit),
  };
  const onBase = (c: Candidate): boolean => c.sourceCommit !== null && c.sourceCommit === (baseCommit ?? base);
  for (const [side, pick] of [["head", onHead], ["base", onBase]] as const) {
    const note = untrustedNote(selected.filter((c) => pick(c) && untrusted(c)), rules.includeDirty);
    if (note) report.notes.push(`${side}: ${note}`);
  }
  if (head.length === 0) {
    const where = rules.require === "head" ? `on the head commit ${shortId(headCommit)}` : `on any commit of ${shortId(base)}..${shortId(headCommit)}`;
    if (rules.require !== "none") report.missing = `no experiments ${where}${rules.experiments ? ` named like ${rules.experiments}` : ""}: record one there, or set "require": "none"`;
    report.notes.push(`no head experiments ${where}`);
    return report;
  }
  if (baseExps.length === 0) {
    const msg = `no base experiments on ${options.baseRef}'s history (${shortId(base)} and the ${baseLine.length - 1} commits before it)`;
    if (options.requireBase) report.missing = `${msg}; --require-base asks for them`;
    report.notes.push(`${msg}: rules relative to the base are skipped`);
  }
  for (const rule of rules.checks) report.results.push(evaluate(rule, head, baseExps, options.pValue));
  report.pass = report.results.every((r) => r.pass);
  return report;
}

/** A rule naming a metric that no selected experiment has is a mistake in the rules. */
function checkMetricsExist(rules: Rules, selected: Candidate[]): void {
  const known = new Set(selected.flatMap((c) => Object.keys(c.metrics)));
  for (const [i, rule] of rules.checks.entries()) {
    if (known.has(rule.metric)) continue;
    const near = nearest(rule.metric, [...known]);
    throw new InvalidInputError(
      `rule ${i + 1}: no experiment has the metric '${rule.metric}'${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : ""}`,
    );
  }
}

function evaluate(rule: Rule, head: Candidate[], base: Candidate[], pValue: PValue | undefined): RuleResult {
  const better = betterOf(rule);
  const headGroups = groups(head, rule.metric);
  const chosen = pickBest(headGroups, better);
  const same = chosen ? groups(base, rule.metric).find((g) => g.groupKey === chosen.groupKey) : undefined;
  const bestBase = pickBest(groups(base, rule.metric), better);
  const baseGroup = same ?? bestBase;
  const headValue = chosen ? chosen.mean : null;
  const baseValue = same ? same.mean : bestBase ? bestBase.mean : null;
  const result: RuleResult = {
    rule,
    label: ruleLabel(rule),
    base: baseValue,
    head: headValue,
    delta: headValue !== null && baseValue !== null ? headValue - baseValue : null,
    limit: null,
    pass: true,
    baseKind: same ? "same-config mean" : bestBase ? "best" : "none",
    nBase: baseGroup?.values.length ?? 0,
    nHead: chosen?.values.length ?? 0,
  };
  if (headValue === null || Number.isNaN(headValue)) {
    return { ...result, pass: false, note: headValue === null ? "no head experiment has this metric" : "the head's value is NaN" };
  }
  const limit = limitOf(rule, baseValue);
  if (limit === undefined) return { ...result, skipped: true, note: "no base value to compare with: skipped" };
  result.limit = limit;
  const within = better === "higher" ? headValue >= limit : headValue <= limit;
  if (within || rule.alpha === undefined) return { ...result, pass: within };
  const a = baseGroup?.values ?? [];
  const b = chosen?.values ?? [];
  if (a.length < 2 || b.length < 2 || !pValue) {
    return { ...result, pass: false, note: `alpha ${rule.alpha} needs repeats on both sides (base ${a.length}, head ${b.length}): judged on the limit alone` };
  }
  const p = pValue(a, b);
  if (p === undefined) return { ...result, pass: false, note: "no variance in the repeats: judged on the limit alone" };
  const significant = p < rule.alpha;
  return { ...result, pValue: p, pass: !significant, note: significant ? `significant (p = ${p.toPrecision(3)} < ${rule.alpha})` : `not significant (p = ${p.toPrecision(3)} >= ${rule.alpha})` };
}

/** The value the head must reach (higher is better) or stay under (lower is better). */
function limitOf(rule: Rule, base: number | null): number | undefined {
  if (rule.min !== undefined) return rule.min;
  if (rule.max !== undefined) return rule.max;
  if (base === null || !Number.isFinite(base)) return undefined;
  if (rule.max_drop !== undefined) return base - rule.max_drop;
  if (rule.max_drop_pct !== undefined) return base - (Math.abs(base) * rule.max_drop_pct) / 100;
  if (rule.max_rise !== undefined) return base + rule.max_rise;
  if (rule.max_rise_pct !== undefined) return base + (Math.abs(base) * rule.max_rise_pct) / 100;
  return undefined;
}

function betterOf(rule: Rule): Better {
  const d = direction(rule);
  if (d !== "none") return d;
  return rule.max !== undefined ? "lower" : "higher";
}

function ruleLabel(rule: Rule): string {
  const m = rule.metric;
  if (rule.min !== undefined) return `${m} >= ${rule.min}`;
  if (rule.max !== undefined) return `${m} <= ${rule.max}`;
  if (rule.max_drop !== undefined) return `${m} drops at most ${rule.max_drop}`;
  if (rule.max_drop_pct !== undefined) return `${m} drops at most ${rule.max_drop_pct}%`;
  if (rule.max_rise !== undefined) return `${m} rises at most ${rule.max_rise}`;
  return `${m} rises at most ${rule.max_rise_pct}%`;
}

interface Group {
  groupKey: string;
  values: number[];
  mean: number;
}

/** Repeats (configs equal but for the repeat keys, such as seed) are one group, valued by their mean. */
function groups(exps: Candidate[], metric: string): Group[] {
  const out: Group[] = [];
  for (const [groupKey, runs] of groupBy(exps, (c) => c.groupKey)) {
    const values = runs.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === "number");
    if (values.length === 0) continue;
    out.push({ groupKey, values, mean: values.reduce((a, b) => a + b, 0) / values.length });
  }
  return out;
}

/** A run whose numbers do not stand for its commit: uncommitted code, or it did not complete. */
function untrusted(c: Candidate): boolean {
  return c.dirty || c.status !== "completed";
}

/** `3 dirty runs left out`, or with include_dirty `3 dirty runs counted`; undefined when none. */
function untrustedNote(runs: Candidate[], included: boolean): string | undefined {
  if (runs.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const c of runs) {
    const why = c.dirty ? "dirty" : c.status;
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  // A fixed order (dirty first, then statuses by name), not the order the runs were read in.
  const order = (why: string): string => (why === "dirty" ? "" : why);
  const parts = [...counts]
    .sort(([a], [b]) => order(a).localeCompare(order(b)))
    .map(([why, n]) => `${n} ${why} run${n === 1 ? "" : "s"}`);
  return included
    ? `${parts.join(", ")} counted (include_dirty): they may not measure the commit's code`
    : `${parts.join(", ")} left out (uncommitted code or not completed; "include_dirty": true or --include-dirty counts them)`;
}

function pickBest(gs: Group[], better: Better): Group | undefined {
  const finite = gs.filter((g) => !Number.isNaN(g.mean));
  const pool = finite.length > 0 ? finite : gs;
  return pool.reduce<Group | undefined>((best, g) => (!best || (better === "higher" ? g.mean > best.mean : g.mean < best.mean) ? g : best), undefined);
}

function trends(rules: Rules, history: string[], byCommit: Map<string, Candidate[]>): CheckReport["trends"] {
  const out: CheckReport["trends"] = {};
  for (const rule of rules.checks) {
    if (out[rule.metric]) continue;
    const better = betterOf(rule);
    const points: { commit: string; value: number }[] = [];
    for (const commit of history.slice(0, 50)) {
      const best = pickBest(groups(byCommit.get(commit) ?? [], rule.metric), better);
      if (best && Number.isFinite(best.mean)) points.push({ commit, value: best.mean });
    }
    out[rule.metric] = points.reverse();
  }
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Known names closest to a mistyped one (edit distance), best first. */
export function nearest(word: string, known: string[], max = 3): string[] {
  return known
    .map((k) => ({ k, d: editDistance(word.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(word.length / 2)))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .slice(0, max)
    .map((x) => x.k);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

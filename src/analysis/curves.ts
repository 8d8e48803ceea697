import { foldAnnotations } from "../core/annotations.js";
import { NotFoundError, UsageError } from "../core/errors.js";
import { flattenParams, type Experiment } from "../core/experiment.js";
import { nearest } from "../core/filter.js";
import { canonicalJson, type JsonValue } from "../core/json.js";
import { DEFAULT_REPEAT_KEYS, isRepeatKey } from "../core/rules.js";
import { groupKeyOf } from "../index/repeat-groups.js";
import type { ExperimentSource } from "../store/experiment-source.js";
import type { Curve } from "../core/overview-results.js";

export interface CurveOptions {
  metric: string;
  x: "step" | "time";
  /** `params.lr` or `name`: what the legend says and what shares a colour. */
  colorBy?: string;
  /** When no experiments are named: how many of the newest that have the series. */
  limit?: number;
  /** "config": one curve per group of repeats (the same config but for the repeat keys), with a band. */
  group?: "config";
  /** With group: the band, mean ± std (default) or min to max. */
  band?: "std" | "minmax";
  /** The config keys that tell repeats apart: gitexp.json `repeat_keys` (default seed). */
  repeatKeys?: readonly string[];
}

export interface Curves {
  series: Curve[];
  /** Named experiments without this series (said on stderr, not an error). */
  without: string[];
  /** With x = time: experiments whose series has no time, left out (said on stderr). */
  untimed: string[];
  /** How many runs the curves draw: one curve each, or with group, the runs of all the groups. */
  runs: number;
}

function paramText(v: JsonValue | undefined): string {
  if (v === undefined) return "(none)";
  return typeof v === "string" ? v : canonicalJson(v).trimEnd();
}

function label(name: string, exp: Experiment, colorBy: string | undefined): string {
  if (!colorBy || colorBy === "name") return name;
  const key = colorBy.replace(/^params\./, "");
  const v = flattenParams(exp.config).find(([k]) => k === key)?.[1];
  return `${key}=${paramText(v)}`;
}

/** A --color-by param no plotted run has would colour every line "(none)": say so instead. */
function checkColorBy(colorBy: string | undefined, exps: Experiment[]): void {
  if (!colorBy || colorBy === "name") return;
  const key = colorBy.replace(/^params\./, "");
  const known = new Set(exps.flatMap((e) => flattenParams(e.config).map(([k]) => k)));
  if (known.has(key)) return;
  const near = nearest(key, known).map((k) => `params.${k}`);
  const hint = near.length > 0 ? `did you mean ${near.join(", ")}?` : `colour by name or by one of their params (${[...known].slice(0, 5).map((k) => `params.${k}`).join(", ") || "they have none"})`;
  throw new NotFoundError(`--color-by ${colorBy}: no plotted run has the param '${key}'; ${hint}`);
}

/**
 * Seconds since the run's first timed point: runs started on different days share one axis,
 * as TensorBoard's "relative" view does.
 */
export function elapsed(times: (number | string)[], since?: number): (number | null)[] {
  const ts = times.map(timeOf);
  const start = since ?? ts.find((t): t is number => t !== null);
  return ts.map((t) => (t === null || start === undefined ? null : t - start));
}

/** Parse a `time` entry: epoch seconds or an ISO date string. */
export function timeOf(t: number | string | undefined): number | null {
  if (typeof t === "number") return t;
  if (typeof t === "string") {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms / 1000;
  }
  return null;
}

/**
 * The history of one metric for each experiment, ready to chart. Without ids, the newest
 * experiments that have the series.
 */
export async function metricCurves(store: ExperimentSource, ids: string[], options: CurveOptions): Promise<Curves> {
  const pick = ids.length > 0 ? ids : (await store.list()).refs.map((r) => r.id);
  const found: { id: string; exp: Experiment }[] = [];
  const without: string[] = [];
  // runs are labelled by their current name: after a rename, the new one
  const events = await store.annotations();
  const nameOf = (id: string, exp: Experiment): string => foldAnnotations(exp.meta, events.get(id) ?? []).name ?? id.slice(0, 10);
  await store.readMany(pick, (id, exp) => {
    if (exp instanceof Error) return;
    if (exp.series[options.metric]) found.push({ id, exp });
    else if (ids.length > 0) without.push(nameOf(id, exp));
  });
  if (found.length === 0) {
    throw new NotFoundError(`no ${ids.length ? "named " : ""}experiment has a '${options.metric}' series; see 'git exp show <id>' for the series an experiment has`);
  }
  found.sort((a, b) => (a.exp.meta.created_at < b.exp.meta.created_at ? 1 : -1));
  const chosen = ids.length > 0 ? found : found.slice(0, options.limit ?? 10);
  checkColorBy(options.colorBy, chosen.map(({ exp }) => exp));
  const byTime = options.x === "time";
  const untimed = byTime ? chosen.filter(({ exp }) => !exp.series[options.metric]!.time).map(({ id, exp }) => nameOf(id, exp)) : [];
  const timed = byTime ? chosen.filter(({ exp }) => exp.series[options.metric]!.time) : chosen;
  if (timed.length === 0) {
    throw new UsageError(`no run here logged a time with '${options.metric}' (a "time" key in its metrics lines): plot by step`);
  }
  const series = timed.map(({ id, exp }) => {
    const s = exp.series[options.metric]!;
    const xs = byTime ? elapsed(s.time!) : s.step;
    return {
      label: label(nameOf(id, exp), exp, options.colorBy),
      points: s.value.map((y, i) => ({ x: xs[i] ?? null, y: typeof y === "number" ? y : null })).filter((p): p is { x: number; y: number | null } => p.x !== null),
    };
  });
  if (options.group === "config") return { series: repeatBands(timed, series, options), without, untimed, runs: timed.length };
  return { series, without, untimed, runs: timed.length };
}

/**
 * One curve per group of repeats: at each x some run of the group has, the mean of the runs'
 * values there, and a band of ± one (sample) standard deviation or from min to max.
 */
function repeatBands(runs: { id: string; exp: Experiment }[], curves: Curve[], options: CurveOptions): Curve[] {
  const keys = options.repeatKeys ?? DEFAULT_REPEAT_KEYS;
  const groups = new Map<string, { names: string[]; curves: Curve[]; config: Experiment["config"] }>();
  runs.forEach(({ id, exp }, i) => {
    // the index's group key of repeats, as stats, check and top --by config group them
    const g = groupKeyOf(exp.config, keys);
    if (!groups.has(g)) groups.set(g, { names: [], curves: [], config: exp.config });
    groups.get(g)!.names.push(exp.meta.name ?? id.slice(0, 10));
    groups.get(g)!.curves.push(curves[i]!);
  });
  const all = [...groups.values()];
  const names = groupNames(all.map((g) => ({ name: commonName(g.names), config: g.config })), keys);
  return all.map((g, gi) => {
    const at = new Map<number, number[]>();
    for (const c of g.curves) for (const p of c.points) if (p.y !== null && Number.isFinite(p.y)) at.set(p.x, [...(at.get(p.x) ?? []), p.y]);
    const xs = [...at.keys()].sort((a, b) => a - b);
    const points = xs.map((x) => ({ x, y: mean(at.get(x)!) }));
    const band = xs.map((x) => {
      const v = at.get(x)!;
      if (options.band === "minmax") return { x, lo: Math.min(...v), hi: Math.max(...v) };
      const m = mean(v);
      const sd = v.length > 1 ? Math.sqrt(v.reduce((a, y) => a + (y - m) ** 2, 0) / (v.length - 1)) : 0;
      return { x, lo: m - sd, hi: m + sd };
    });
    const label = `${names[gi]!} (${g.curves.length} run${g.curves.length === 1 ? "" : "s"}, mean ${options.band === "minmax" ? "and min-max" : "± std"})`;
    return { label, points, band };
  });
}

/**
 * The groups' legend names: the name their repeats share, and where groups share that name
 * (one sweep's points, `rep` for every lr), the config values that differ between those
 * groups (`rep lr=0.1`), repeat keys left out, so no two groups read alike.
 */
function groupNames(groups: { name: string; config: Experiment["config"] }[], repeatKeys: readonly string[]): string[] {
  const params = groups.map((g) => new Map(flattenParams(g.config).filter(([k]) => !isRepeatKey(k, repeatKeys))));
  return groups.map((g, i) => {
    const alike = groups.flatMap((o, j) => (o.name === g.name ? [j] : []));
    if (alike.length < 2) return g.name;
    const keys = [...new Set(alike.flatMap((j) => [...params[j]!.keys()]))].sort();
    const differ = keys.filter((k) => new Set(alike.map((j) => paramText(params[j]!.get(k)))).size > 1);
    return [g.name, ...differ.map((k) => `${k}=${paramText(params[i]!.get(k))}`)].join(" ");
  });
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** What the repeats' names share (`mnist-3`, `mnist-4` -> `mnist`), else the first. */
function commonName(names: string[]): string {
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  prefix = prefix.replace(/[-_ .]+$/, "");
  return prefix.length >= 3 ? prefix : names[0]!;
}

import { flattenMetrics, flattenParams, isSystemSeries, type Experiment, type Series } from "../core/experiment.js";
import { mediaByKey } from "../core/media.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { formatNumber, shorten } from "./format.js";
import type { AnnotationState } from "../core/annotations.js";
import { renderNotes } from "./annotations.js";

export interface ShowData {
  id: string;
  configHash: string;
  parents: string[];
  experiment: Experiment;
  annotations?: AnnotationState;
}

function paramText(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return canonicalJson(v, { nonFinite: "encode" }).trimEnd();
}

function section(title: string, rows: [string, string][]): string[] {
  if (rows.length === 0) return [];
  const w = Math.min(40, Math.max(...rows.map(([k]) => k.length)));
  return ["", `${title}:`, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
}

/** A readable page about one experiment, as `git show` is for a commit. */
export function renderShow(d: ShowData): string {
  const { meta } = d.experiment;
  const exp = d.experiment;
  const src = meta.source;
  const state = d.annotations;
  const name = state ? state.name : meta.name ?? null;
  const tags = state ? state.tags : meta.tags ?? [];
  const lines = [
    `experiment ${d.id}${state?.deleted ? "  [deleted: 'git exp restore' brings it back]" : ""}`,
    `Name:     ${name ?? "(unnamed)"}${meta.name !== undefined && name !== meta.name ? ` (recorded as ${meta.name})` : ""}`,
    `Status:   ${meta.status}${statusDetail(meta)}`,
    ...stopLines(meta),
    `Created:  ${meta.created_at} by ${meta.created_by.name} <${meta.created_by.email}>`,
    src?.commit
      ? `Source:   ${src.commit}${src.branch ? ` (${src.branch})` : ""}${src.dirty ? ", with uncommitted changes" : ""}${
          d.parents.includes(src.commit) ? "" : " [commit not in this repository]"
        }`
      : "Source:   none (recorded outside a commit: the repository had no commits, or the source was not given)",
    `Config:   ${d.configHash}`,
  ];
  if (tags.length) lines.push(`Tags:     ${tags.join(", ")}`);
  if (meta.command?.length) lines.push(`Command:  ${meta.command.join(" ")}`);
  if (meta.duration_s !== undefined) lines.push(`Duration: ${formatNumber(meta.duration_s)} s`);
  if (meta.parents?.length) lines.push(`Derived from: ${meta.parents.join(", ")}`);
  if (meta.message) lines.push("", ...meta.message.split("\n").map((l) => `    ${l}`));
  if (state) lines.push(...renderNotes(state));
  lines.push(...section("Params", flattenParams(exp.config).map(([k, v]) => [k, paramText(v)])));
  lines.push(...section("Results", flattenMetrics(exp.results).map(([k, v]) => [k, v === null ? "null" : formatNumber(v)])));
  const series = Object.entries(exp.series).sort(([a], [b]) => (a < b ? -1 : 1));
  lines.push(...section("Series", series.filter(([k]) => !isSystemSeries(k)).map(([k, s]) => [k, seriesLine(s.step, s.value)])));
  lines.push(...section("System", series.filter(([k]) => isSystemSeries(k)).map(([k, s]) => [k.slice("system/".length), systemLine(s)])));
  const media = mediaByKey(Object.keys(exp.files));
  lines.push(
    ...section(
      "Media",
      [...media].map(([key, items]) => {
        const bytes = items.reduce((n, i) => n + exp.files[i.path]!.length, 0);
        const steps = items.length === 1 ? `step ${items[0]!.step}` : `steps ${items[0]!.step}-${items[items.length - 1]!.step}`;
        return [key, `${items.length} image${items.length === 1 ? "" : "s"}, ${steps}, ${bytes} bytes (git exp artifacts; git exp get)`];
      }),
    ),
  );
  for (const [title, files] of [["Inputs", exp.inputs], ["Outputs", exp.outputs]] as const) {
    if (!files) continue;
    lines.push(
      ...section(
        title,
        Object.entries(files).map(([p, f]) => {
          const o = f as { sha256?: string; size?: number };
          return [p, o.sha256 ? `sha256 ${o.sha256.slice(0, 16)}…  ${o.size ?? "?"} bytes` : paramText(f)];
        }),
      ),
    );
  }
  if (exp.env) {
    // A long value (every installed package) is cut with "…", never silently mid-value.
    const env = Object.entries(exp.env).map(([k, v]) => ({ k, full: paramText(v), shown: shorten(paramText(v), ENV_WIDTH) }));
    lines.push(...section("Environment", env.map((e): [string, string] => [e.k, e.shown])));
    if (env.some((e) => e.shown !== e.full)) lines.push("  (values cut with …: git exp show --json has them whole)");
  }
  const files = Object.entries(exp.files).filter(([p]) => !media.size || !p.startsWith("media/"));
  if (files.length) lines.push(...section("Files", files.map(([p, data]) => [p, `${data.length} bytes`])));
  return lines.join("\n") + "\n";
}

/** After the status: the exit code and the signal that ended the command, when there are. */
function statusDetail(meta: JsonObject): string {
  const parts = [
    typeof meta["exit_code"] === "number" ? `exit code ${meta["exit_code"]}` : null,
    typeof meta["signal"] === "string" ? `signal ${meta["signal"]}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** Who cut the run short and why, what early termination judged, and which trial of which sweep it is. */
function stopLines(meta: JsonObject): string[] {
  const lines: string[] = [];
  const text = (o: JsonObject, k: string): string | undefined => (typeof o[k] === "string" || typeof o[k] === "number" ? String(o[k]) : undefined);
  const stop = meta["interruption"];
  if (isJsonObject(stop)) lines.push(`Stopped:  ${[text(stop, "by") && `by ${text(stop, "by")}`, text(stop, "reason")].filter(Boolean).join(": ") || paramText(stop)}`);
  // a pruned trial's interruption already names the rule and the step
  const pruned = meta["pruned"];
  if (isJsonObject(pruned) && !isJsonObject(stop)) lines.push(`Pruned:   ${text(pruned, "rule") ?? "?"}${text(pruned, "at_step") !== undefined ? ` at step ${text(pruned, "at_step")}` : ""}`);
  const sweep = meta["sweep"];
  if (isJsonObject(sweep)) {
    const index = text(sweep, "index");
    const trial = index === undefined ? "" : ` trial ${index}${text(sweep, "size") !== undefined ? ` of ${text(sweep, "size")}` : ""}`;
    const method = text(sweep, "method");
    lines.push(`Sweep:    ${text(sweep, "id") ?? "?"}${trial}${method ? ` (${method})` : ""}`);
  }
  return lines;
}

/** Widest environment value shown; `--json` has the rest. */
const ENV_WIDTH = 120;

/** A system metric: how many samples over how long, its mean and peak. */
function systemLine(s: Series): string {
  const nums = s.value.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const times = (s.time ?? []).map((t) => (typeof t === "number" ? t : Date.parse(t) / 1000)).filter(Number.isFinite);
  const span = times.length > 1 ? ` over ${formatNumber(Math.round((times[times.length - 1]! - times[0]!) * 10) / 10)} s` : "";
  const samples = `${s.step.length} sample${s.step.length === 1 ? "" : "s"}`;
  if (nums.length === 0) return samples + span;
  const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
  return `${samples}${span}, mean ${formatNumber(mean)}, max ${formatNumber(Math.max(...nums))}, last ${formatNumber(nums[nums.length - 1]!)}`;
}

function seriesLine(step: number[], value: (number | null)[]): string {
  const nums = value.filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
  const points = `${step.length} point${step.length === 1 ? "" : "s"}`;
  if (nums.length === 0) return points;
  const last = value[value.length - 1];
  return `${points}, last ${last === null || last === undefined ? "null" : formatNumber(last)}, min ${formatNumber(
    Math.min(...nums),
  )}, max ${formatNumber(Math.max(...nums))}`;
}

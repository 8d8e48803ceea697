import type { ExperimentDiff, MetricDelta, Side } from "../core/diff-results.js";
import type { ValueChange } from "../core/diff-results.js";
import { canonicalJson, isJsonObject, type JsonValue } from "../core/json.js";
import { formatNumber, renderTable } from "./format.js";
import { shortId } from "../core/ids.js";

/** ANSI colour for markers, applied only when the caller says the terminal wants it. */
export interface Paint {
  add(s: string): string;
  del(s: string): string;
  warn(s: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { add: wrap("32"), del: wrap("31"), warn: wrap("33") };
}

export function valueText(v: JsonValue | undefined): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  return jsonText(v);
}

function changeLines(changes: ValueChange[], p: Paint): string[] {
  return changes.map((c) => {
    if (c.kind === "added") return p.add(`  + ${c.key}: ${valueText(c.b)}`);
    if (c.kind === "removed") return p.del(`  - ${c.key}: ${valueText(c.a)}`);
    let [a, b] = [valueText(c.a), valueText(c.b)];
    // Equal as text, so different in type (the string "1" and the number 1): show them as JSON.
    if (a === b) [a, b] = [jsonText(c.a), jsonText(c.b)];
    return `  ~ ${c.key}: ${p.del(a)} -> ${p.add(b)}`;
  });
}

function jsonText(v: JsonValue | undefined): string {
  return v === undefined ? "(absent)" : canonicalJson(v, { nonFinite: "encode" }).trimEnd();
}

function fileText(v: JsonValue | undefined): string {
  if (!isJsonObject(v) || typeof v["sha256"] !== "string") return valueText(v);
  return `sha256 ${v["sha256"].slice(0, 12)}… ${String(v["size"] ?? "?")} bytes`;
}

function shortSide(s: Side): string {
  return `${shortId(s.id)}${s.name ? ` (${s.name})` : ""}`;
}

function codeLines(d: ExperimentDiff): string[] {
  const c = d.code;
  const out: string[] = [];
  if (!c.sameCommit) {
    const [a, b] = [c.a === null ? "(none)" : shortId(c.a), c.b === null ? "(none)" : shortId(c.b)];
    let line = `  source: ${a}..${b}`;
    if (c.missing.length) line += ` (${c.missing.map((m) => shortId(m)).join(", ")} not in this repository; fetch to see more)`;
    else if (c.ahead !== null && c.behind !== null) {
      // as git rev-list --left-right --count says: an ancestor is behind, not diverged
      const n = (k: number): string => `${k} commit${k === 1 ? "" : "s"}`;
      const rel = c.behind === 0 ? n(c.ahead) : c.ahead === 0 ? `${n(c.behind)} behind` : `${c.ahead} ahead, ${c.behind} behind (diverged)`;
      line += `: ${rel}, ${c.files.length} file${c.files.length === 1 ? "" : "s"} changed`;
    }
    out.push(line, ...c.files.slice(0, 50).map((f) => `    ${f.status}  ${f.path}`));
    if (c.files.length > 50) out.push(`    ... and ${c.files.length - 50} more`);
  } else if (c.a) out.push(`  source: same commit ${shortId(c.a)}`);
  const patch: Record<typeof c.patch, string> = {
    none: "",
    same: "uncommitted patch: same",
    differ: "uncommitted patch: differs",
    "only-a": "uncommitted patch: only A has one",
    "only-b": "uncommitted patch: only B has one",
  };
  if (patch[c.patch]) out.push(`  ${patch[c.patch]}`);
  return out;
}

function envLines(d: ExperimentDiff, p: Paint): string[] {
  const out = changeLines(d.environment.changes, p);
  for (const o of d.environment.onlyOneSide) out.push(`  (only ${o.side.toUpperCase()} recorded its ${o.what}: nothing to compare)`);
  if (d.environment.packages.length) out.push("  packages:");
  for (const k of d.environment.packages) {
    if (k.kind === "added") out.push(p.add(`    + ${k.name} ${k.b}`));
    else if (k.kind === "removed") out.push(p.del(`    - ${k.name} ${k.a}`));
    else out.push(`    ${k.kind === "upgraded" ? "↑" : k.kind === "downgraded" ? "↓" : "~"} ${k.name} ${k.a} -> ${k.b} (${k.kind})`);
  }
  return out;
}

function num(v: number | null | undefined): string {
  return v === undefined ? "(absent)" : v === null ? "null" : formatNumber(v);
}

function signed(v: number | null, percent = false): string {
  if (v === null) return "";
  const s = percent ? `${formatNumber(Math.abs(v) * 100)}%` : formatNumber(Math.abs(v));
  return v === 0 ? (percent ? "0%" : "0") : `${v > 0 ? "+" : "-"}${s}`;
}

function resultLines(results: MetricDelta[], width: number, p: Paint): string[] {
  const rows = results.map((r) => ({
    metric: r.metric,
    A: num(r.a),
    B: num(r.b),
    delta: signed(r.abs),
    relative: signed(r.rel, true),
    "": r.beyond ? "beyond tolerance" : "",
  }));
  const table = renderTable(["metric", "A", "B", "delta", "relative", ""], rows, width - 2).trimEnd().split("\n");
  return table.map((l) => `  ${l.endsWith("beyond tolerance") ? p.warn(l) : l}`);
}

/** `git exp diff`: one readable report, sections in a fixed order, empty ones left out. */
export function renderDiff(d: ExperimentDiff, options: { color?: boolean; width?: number } = {}): string {
  const p = paint(options.color ?? false);
  const width = options.width ?? 100;
  const lines = [`A: ${shortSide(d.a)}  ${d.a.created_at}`, `B: ${shortSide(d.b)}  ${d.b.created_at}`];
  if (d.self) return [...lines, "", "A and B are the same experiment: no differences"].join("\n") + "\n";
  const section = (title: string, body: string[]): void => {
    if (body.length > 0) lines.push("", `${title}:`, ...body);
  };
  section("config", changeLines(d.config, p));
  section(
    "inputs",
    d.inputs.map((i) =>
      i.kind === "added" ? p.add(`  + ${i.path}: ${fileText(i.b)}`) : i.kind === "removed" ? p.del(`  - ${i.path}: ${fileText(i.a)}`) : `  ~ ${i.path}: ${fileText(i.a)} -> ${fileText(i.b)}`,
    ),
  );
  section("code", d.code.differs ? codeLines(d) : []);
  section("environment", envLines(d, p));
  const tol = `tolerance ${formatNumber(d.tolerance.atol)}${d.tolerance.rtol > 0 ? `, rtol ${formatNumber(d.tolerance.rtol)}` : ""}`;
  section(`results (${tol})`, d.results.length ? resultLines(d.results, width, p) : []);
  if (d.results.length > 0 && d.results.every((r) => r.a === undefined || r.b === undefined)) {
    lines.push("  (A and B have no metric in common)");
  }
  const differing = Object.entries(d.sections).filter(([, v]) => v).map(([k]) => k);
  lines.push("", differing.length ? `differs in: ${differing.join(", ")}` : describeSame(d));
  return lines.join("\n") + "\n";
}

function describeSame(d: ExperimentDiff): string {
  const meta = d.metadata.map((m) => m.key);
  return meta.length ? `no differences (only metadata differs: ${meta.join(", ")})` : "no differences";
}

import { betterOf } from "../core/choices.js";
import type { FoundExperiment } from "../core/search-results.js";
import type { Leaderboard } from "../core/top-results.js";
import type { Trend } from "../core/trend-results.js";
import type { JsonValue } from "../core/json.js";
import { canonicalJson } from "../core/json.js";
import { isSystemSeries } from "../core/experiment.js";
import { formatNumber, type Cell, type Row } from "./format.js";
import { sparkline } from "./sparkline.js";
import { shortId } from "../core/ids.js";

/** `2026-11-23T10:00:00.000Z` -> `2026-11-23 10:00`: minutes are enough in a table. */
function shortTime(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "";
}

function paramCell(v: JsonValue | undefined): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  return canonicalJson(v).trimEnd();
}

/** ls rows: `columns` name attributes, `params.X`, `metrics.X`, `tags` or `metrics` (a summary). */
export function experimentRows(found: FoundExperiment[], columns: string[], full: boolean): Row[] {
  return found.map((f) => {
    const row: Row = {};
    for (const c of columns) row[c] = experimentCell(f, c, full);
    return row;
  });
}

function experimentCell(f: FoundExperiment, c: string, full: boolean): Cell {
  if (c.startsWith("metrics.")) return f.metrics[c.slice(8)] ?? null;
  if (c.startsWith("params.")) return paramCell(f.params?.[c.slice(7)]);
  switch (c) {
    case "id":
      return full ? f.id : f.id.slice(0, 10);
    case "created":
    case "created_at":
      return full ? f.created_at : shortTime(f.created_at);
    case "tags":
      return f.tags.join(",");
    case "metrics":
      // results, not the machine: system/cpu_pct and the like stay in --json, --columns and show's System
      return Object.entries(f.metrics)
        .filter(([k]) => !isSystemSeries(k))
        .slice(0, 4)
        .map(([k, v]) => `${k}=${v === null ? "null" : formatNumber(v)}`)
        .join(" ");
    case "params":
      return Object.entries(f.params ?? {})
        .map(([k, v]) => `${k}=${String(paramCell(v))}`)
        .join(" ");
    case "commit":
    case "source_commit":
      return full ? f.source_commit : (f.source_commit?.slice(0, 10) ?? null);
    case "config":
    case "config_hash":
      return full ? f.config_hash : shortId(f.config_hash);
    case "author":
      return f.created_by;
    case "duration":
      return f.duration_s;
    default:
      return (f as unknown as Record<string, Cell>)[c] ?? null;
  }
}

export function leaderboardTable(board: Leaderboard, full: boolean): { columns: string[]; rows: Row[] } {
  const m = board.metric;
  if (!board.by) {
    return {
      columns: ["rank", "id", "name", m, "created", "branch"],
      rows: board.rows.map((r) => ({
        rank: r.rank,
        id: full ? r.id : r.id.slice(0, 10),
        name: r.name,
        [m]: r.value,
        created: full ? r.created_at : shortTime(r.created_at),
        branch: r.branch,
      })),
    };
  }
  const groupName = board.by === "config" ? "config" : board.by;
  const columns = ["rank", groupName, "runs", `best ${m}`, "mean", "std", "best run"];
  if (board.by === "config") columns.push("params");
  return {
    columns,
    rows: board.groups.map((g) => ({
      rank: g.rank,
      [groupName]: g.group === null ? "(none)" : full || (board.by !== "config" && board.by !== "commit") ? g.group : shortId(g.group),
      runs: g.count,
      [`best ${m}`]: g.best,
      mean: g.mean,
      std: g.std,
      "best run": `${full ? g.best_id : g.best_id.slice(0, 10)}${g.best_name ? ` ${g.best_name}` : ""}`,
      params: g.params
        ? Object.entries(g.params)
            .map(([k, v]) => `${k}=${String(paramCell(v as JsonValue))}`)
            .join(" ")
        : undefined,
    })),
  };
}

export function trendTable(trend: Trend, full: boolean): { columns: string[]; rows: Row[] } {
  const first = trend.along ? ["commit", "date", "subject"] : [trend.every ?? "bucket"];
  const columns = [...first, "runs", "min", "mean", "max", "best", "best run"];
  const rows = trend.points.map((p) => {
    const row: Row = trend.along
      ? { commit: full ? p.commit : p.commit?.slice(0, 10), date: shortTime(p.at).slice(0, 10), subject: p.subject }
      : { [trend.every ?? "bucket"]: full ? p.at : p.at.slice(0, trend.every === "month" ? 7 : 10) };
    return { ...row, runs: p.count, min: p.min, mean: p.mean, max: p.max, best: p.best, "best run": full ? p.best_id : p.best_id.slice(0, 10) };
  });
  return { columns, rows };
}

/** The headline of a trend: a sparkline of the best value per bucket or commit. */
export function trendHeadline(trend: Trend, width = Infinity): string {
  const what = trend.along ? `per commit along ${trend.along}` : `per ${trend.every}`;
  if (trend.points.length === 0) return `${trend.metric}: no experiments with this metric ${trend.along ? `on ${trend.along}` : "match"}\n`;
  const best = trend.points.map((p) => p.best);
  const first = best[0]!;
  const last = best[best.length - 1]!;
  const head = `${trend.metric} (${betterOf(trend.direction)} is better), best ${what}:  `;
  const tail = `  ${formatNumber(first)} → ${formatNumber(last)}`;
  // Too many points for the line: the latest ones, after a "…".
  const room = Math.max(10, width - head.length - tail.length - 1);
  const spark = best.length <= room ? sparkline(best) : `…${sparkline(best.slice(best.length - room + 1))}`;
  return `${head}${spark}${tail}\n`;
}

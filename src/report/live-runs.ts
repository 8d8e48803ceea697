import type { LiveProgress, LiveRun } from "../core/live-results.js";
import { formatNumber, type Row } from "./format.js";
import { formatElapsed } from "./run-status.js";

/** `ls --running` rows: who runs what, for how long, and its latest metrics. */
export function liveRows(runs: LiveRun[], progress: Map<string, LiveProgress>, now: number, full: boolean): { columns: string[]; rows: Row[] } {
  // Trials on a cluster: where and in which job, instead of a pid that means nothing here.
  const cluster = runs.some((r) => r.job !== undefined);
  const columns = [...(cluster ? ["job", "node"] : ["pid"]), "name", "started", "elapsed", "step", "metrics", "command"];
  const rows = runs.map((r) => {
    const p = progress.get(r.key);
    const latest = Object.entries(p?.latest ?? {});
    return {
      ...(cluster ? { job: r.job ?? null, node: r.host ?? null } : { pid: r.pid }),
      name: r.name ?? null,
      started: full ? r.started_at : r.started_at.slice(0, 19).replace("T", " "),
      elapsed: formatElapsed(Math.max(0, (now - Date.parse(r.started_at)) / 1000)),
      step: p?.step ?? null,
      metrics: latest
        .slice(0, full ? undefined : 4)
        .map(([k, v]) => `${k}=${v === null ? "NaN" : formatNumber(v)}`)
        .join(" "),
      command: r.command.join(" "),
    };
  });
  return { columns, rows };
}

/** `ls --running --json`: the record with its latest metrics, not the whole history. */
export function liveJson(runs: LiveRun[], progress: Map<string, LiveProgress>): unknown[] {
  return runs.map((r) => {
    const p = progress.get(r.key);
    return { ...r, step: p?.step ?? null, lines: p?.lines ?? 0, latest: p?.latest ?? {} };
  });
}

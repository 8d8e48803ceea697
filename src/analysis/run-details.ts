import { flattenMetrics, flattenParams, isSystemSeries, type Experiment } from "../core/experiment.js";
import type { JsonValue } from "../core/json.js";
import { MEDIA_TYPES, mediaByKey } from "../core/media.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { elapsed, timeOf } from "./curves.js";
import type { SystemSeries } from "../core/overview-results.js";

/** One run as its page in the dashboard shows it. */
export interface RunDetails {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  params: Record<string, JsonValue>;
  metrics: Record<string, number | null>;
  /** Training series names (for curves); system metrics apart. */
  series: string[];
  system: SystemSeries[];
  /** Logged images by key, steps ascending, each with its tree path and type. */
  media: { key: string; items: { step: number; path: string; type: string }[] }[];
}

/**
 * System metrics of a run against seconds since it started (its created_at), so the first
 * sample sits at about 1 s; points without a time are left out.
 */
export function systemSeries(exp: Experiment): SystemSeries[] {
  const since = timeOf(exp.meta.created_at) ?? undefined;
  return Object.entries(exp.series)
    .filter(([m, s]) => isSystemSeries(m) && s.time !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([metric, s]) => {
      const xs = elapsed(s.time!, since);
      const points: [number, number | null][] = [];
      xs.forEach((x, i) => {
        const v = s.value[i];
        if (x !== null) points.push([Math.round(x * 1000) / 1000, typeof v === "number" && Number.isFinite(v) ? v : null]);
      });
      return { metric, points };
    });
}

export function mediaOf(exp: Experiment): RunDetails["media"] {
  return [...mediaByKey(Object.keys(exp.files))].map(([key, items]) => ({
    key,
    items: items.map((i) => ({ ...i, type: MEDIA_TYPES[i.path.slice(i.path.lastIndexOf(".") + 1)]! })),
  }));
}

export async function runDetails(store: ExperimentStore, spec: string): Promise<RunDetails> {
  const id = await store.resolve(spec);
  const exp = await store.read(id);
  return {
    id,
    name: exp.meta.name ?? null,
    status: exp.meta.status,
    created_at: exp.meta.created_at,
    params: Object.fromEntries(flattenParams(exp.config)),
    metrics: Object.fromEntries(flattenMetrics(exp.results)),
    series: Object.keys(exp.series).filter((m) => !isSystemSeries(m)).sort(),
    system: systemSeries(exp),
    media: mediaOf(exp),
  };
}

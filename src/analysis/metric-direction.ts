import type { Better } from "../core/choices.js";
import { lowerIsBetter } from "./catalog.js";

export interface DirectionHints {
  /** Metrics where lower is better (exact key paths or last segments). */
  minimize?: string[];
  /** Metrics where higher is better. */
  maximize?: string[];
}

function matches(metric: string, names: string[] | undefined): boolean {
  if (!names?.length) return false;
  const last = metric.slice(metric.lastIndexOf(".") + 1);
  return names.some((n) => n === metric || n === last);
}

/** Which way is better for a metric: the user's word first, else what its name says. */
export function metricDirection(metric: string, hints: DirectionHints = {}): Better {
  if (matches(metric, hints.minimize)) return "lower";
  if (matches(metric, hints.maximize)) return "higher";
  return lowerIsBetter(metric) ? "lower" : "higher";
}

import { foldAnnotations } from "../core/annotations.js";
import { flattenMetrics, flattenParams } from "../core/experiment.js";
import { DEFAULT_REPEAT_KEYS } from "../core/rules.js";
import { groupKeyOf } from "../index/repeat-groups.js";
import type { ExperimentSource } from "../store/experiment-source.js";
import type { Entry } from "../core/catalog-entry.js";

/**
 * Every live experiment (deleted ones left out), read in one pipelined pass. `repeatKeys`
 * (gitexp.json `repeat_keys`, default seed) make the group key of repeats.
 */
export async function loadCatalog(store: ExperimentSource, ids?: string[], repeatKeys: readonly string[] = DEFAULT_REPEAT_KEYS): Promise<Entry[]> {
  const wanted = ids ?? (await store.list()).refs.map((r) => r.id);
  const events = await store.annotations();
  const out: Entry[] = [];
  await store.readMany(wanted, (id, exp) => {
    if (exp instanceof Error) return;
    const state = foldAnnotations(exp.meta, events.get(id) ?? []);
    if (state.deleted) return;
    out.push({
      id,
      name: state.name,
      status: exp.meta.status,
      createdAt: exp.meta.created_at,
      sourceCommit: exp.meta.source?.commit ?? null,
      branch: exp.meta.source?.branch ?? null,
      configHash: store.configHashOf(exp),
      groupKey: groupKeyOf(exp.config, repeatKeys),
      dirty: exp.meta.source?.dirty === true,
      reproduces: typeof exp.meta.reproduces === "string" ? exp.meta.reproduces : null,
      tags: state.tags,
      params: Object.fromEntries(flattenParams(exp.config)),
      metrics: Object.fromEntries(flattenMetrics(exp.results)),
    });
  });
  return out;
}

/**
 * Metrics where lower is better, by the names people give them: a word of the name (split
 * at dots, underscores, dashes, slashes and spaces: `val loss`, `train/loss`) says so. The
 * one list every command guesses from (top, trend, compare, report, check).
 */
const LOWER_IS_BETTER = /(^|[._/\s-])(loss|losses|err|error|errors|mse|mae|rmse|mape|nll|perplexity|ppl|wer|cer|fid|latency|time|duration|seconds|ms|memory|cost|regret)([._/\s-]|$)/i;

export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.test(metric);
}

import { Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { experimentsWithGroups, metricsOf, paramsOf, tagsOf } from "../index/queries.js";
import type { Selection } from "../index/selection.js";
import { DEFAULT_REPEAT_KEYS } from "../core/rules.js";
import type { Entry } from "../core/catalog-entry.js";

/**
 * The experiments a selection matches, as analyses take them, from the index: four
 * queries however many there are, instead of reading every experiment from git.
 */
export async function entriesFromIndex(db: IndexDatabase, selection: Selection = {}, repeatKeys: readonly string[] = DEFAULT_REPEAT_KEYS): Promise<Entry[]> {
  const catalog = await Catalog.load(db);
  const rows = await experimentsWithGroups(db, catalog, selection, repeatKeys);
  const chosen = { selection, catalog };
  const [tags, params, metrics] = [await tagsOf(db, chosen), await paramsOf(db, chosen), await metricsOf(db, chosen)];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    createdAt: r.created_at,
    sourceCommit: r.source_commit,
    branch: r.branch,
    configHash: r.config_hash,
    groupKey: r.group_key,
    dirty: r.dirty === true,
    // not in the index; only stats tells reruns apart
    reproduces: null,
    tags: tags.get(r.id) ?? [],
    params: params.get(r.id) ?? {},
    metrics: metrics.get(r.id) ?? {},
  }));
}

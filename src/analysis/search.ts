import { parseKey } from "../core/filter.js";
import { ATTRIBUTES, Catalog } from "../index/catalog.js";
import type { IndexDatabase } from "../index/database.js";
import { listExperiments, metricsOf, paramsOf, tagsOf } from "../index/queries.js";
import type { Selection } from "../index/selection.js";
import type { FoundExperiment } from "../core/search-results.js";

export interface SearchOptions extends Selection {
  /** `metrics.acc`, `-created`, `params.lr desc`; default newest first. */
  sort?: string;
  limit?: number;
  /** Keys to show: attributes, `params.X`, `metrics.X`, `tags`. */
  columns?: string[];
  /** Also fetch every experiment's params (JSON output wants them). */
  withParams?: boolean;
}

export interface SearchResult {
  experiments: FoundExperiment[];
  /** The columns to show, in order: given ones, else defaults plus keys the query named. */
  columns: string[];
  /** Which key an ambiguous bare name in --sort or --columns was read as (for stderr). */
  notes: string[];
  /** How many experiments the selection matches, before the limit. */
  total: number;
}

const DEFAULT_COLUMNS = ["id", "name", "status", "created", "tags"];

/** `git exp ls`: filter, sort and limit experiments in the index. */
export async function searchExperiments(db: IndexDatabase, options: SearchOptions = {}): Promise<SearchResult> {
  const catalog = await Catalog.load(db);
  const listed = await listExperiments(db, catalog, { selection: options, sort: options.sort, limit: options.limit });
  const { selection, sort } = listed;
  const notes = sort?.note ? [sort.note] : [];
  const columns = resolveColumns(options.columns, catalog, [...selection.referenced, ...(sort && /^(params|metrics)\./.test(sort.key) ? [sort.key] : [])], notes);
  const found: FoundExperiment[] = listed.rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    created_at: r.created_at,
    created_by: r.created_by,
    branch: r.branch,
    source_commit: r.source_commit,
    config_hash: r.config_hash,
    message: r.message,
    duration_s: r.duration_s,
    exit_code: r.exit_code,
    dirty: r.dirty,
    tags: [],
    metrics: {},
  }));
  const wantParams = options.withParams || columns.some((c) => c.startsWith("params."));
  await attachDetails(db, found, wantParams);
  const total = options.limit !== undefined && found.length === options.limit ? await listed.total() : found.length;
  return { experiments: found, columns, notes, total };
}

function resolveColumns(given: string[] | undefined, catalog: Catalog, referenced: string[], notes: string[]): string[] {
  if (!given || given.length === 0) {
    const extra = [...new Set(referenced)];
    return [...DEFAULT_COLUMNS, ...(extra.length > 0 ? extra : ["metrics"])];
  }
  return given.map((c) => {
    if (c === "tags" || c === "metrics" || c === "params") return c;
    const named = catalog.qualify(c, "--columns");
    if (named.note) notes.push(named.note);
    const { key } = parseKey(catalog.keySyntax(named.key), "--columns");
    if (key.startsWith("params.")) {
      if (catalog.strict && !catalog.params.has(key.slice(7))) throw catalog.unknown(key);
    } else if (key.startsWith("metrics.")) {
      if (catalog.strict && !catalog.metrics.has(key.slice(8))) throw catalog.unknown(key);
    } else if (!(key in ATTRIBUTES)) {
      // Unknown like any other key (exit 3), whether it looked like an attribute or not.
      const e = catalog.unknown(key);
      e.message = `--columns: ${e.message}`;
      throw e;
    }
    return key;
  });
}

/** Tags, metrics and params of the found experiments: one query each, not one per experiment. */
async function attachDetails(db: IndexDatabase, found: FoundExperiment[], withParams: boolean): Promise<void> {
  if (found.length === 0) return;
  const chosen = { ids: found.map((f) => f.id) };
  const [tags, metrics] = [await tagsOf(db, chosen), await metricsOf(db, chosen)];
  const params = withParams ? await paramsOf(db, chosen) : undefined;
  for (const f of found) {
    f.tags = tags.get(f.id) ?? [];
    f.metrics = metrics.get(f.id) ?? {};
    if (params) f.params = params.get(f.id) ?? {};
  }
}

import type { DuckDBAppender } from "@duckdb/node-api";
import { listValue, timestampValue } from "./duckdb.js";
import { canonicalJson, type JsonObject } from "../core/json.js";
import { foldAnnotations, parseEvents, type AnnotationEvent } from "../core/annotations.js";
import { annotationsTip, readAllAnnotations } from "../store/annotations.js";
import { listExperimentRefs, looseExperimentRefs, type LooseRefState, type RefListing } from "../store/refs.js";
import type { Repository } from "../store/repository.js";
import type { IndexDatabase, SqlValue } from "./database.js";
import type { Fingerprint } from "./fingerprint.js";
import type { KeyTallyRow } from "./key-tally.js";
import { BulkLoader } from "./bulk-load.js";
import { RowLoader } from "./load.js";
import { readForIndex } from "./read.js";
import { refreshKeys, refreshRuns, tallyKeys, type RunsRow } from "./runs.js";
import { INDEX_FORMAT, PER_EXPERIMENT_TABLES } from "./schema.js";

/** What one sync did, per kind of change, so the user sees exactly what happened. */
export interface SyncReport {
  added: number;
  removed: number;
  /** Experiments whose name or tags changed, or that were hidden by a delete event. */
  updated: number;
  /** Experiments newly found failing their schema: left out, named here. */
  skipped: { id: string; reason: string }[];
  /** Refs whose name is not their target: never followed. */
  corruptRefs: string[];
  /** Experiments in the index after the sync. */
  total: number;
  rebuilt: boolean;
  /** Why the index was rebuilt, when it was not asked for. */
  rebuildReason?: string;
  /** True when the index was found current and nothing was read. */
  upToDate: boolean;
}

export interface SyncOptions {
  fingerprint: Fingerprint;
  /** A fresh, empty database: load everything and build `runs` from scratch. */
  full: boolean;
  onProgress?: (done: number, total: number) => void;
  /** `_meta` as the caller already read it. */
  meta?: IndexMeta;
  /** Write no file beside the database (an index in memory because the disk cannot take one): rows are appended directly. */
  noFiles?: boolean;
}

export type IndexMeta = Record<string, string>;

export async function readMeta(db: IndexDatabase): Promise<IndexMeta> {
  const rows = await db.rows("SELECT key, value FROM _meta");
  return Object.fromEntries(rows.map((r) => [String(r["key"]), String(r["value"])]));
}

/** Writes the entries that differ from `before` (what `_meta` held): fewer rows logged. */
async function writeMeta(db: IndexDatabase, meta: IndexMeta, before: IndexMeta = {}): Promise<void> {
  const entries = Object.entries(meta).filter(([k, v]) => before[k] !== v);
  if (entries.length === 0) return;
  const rows = entries.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(", ");
  await db.run(`INSERT OR REPLACE INTO _meta VALUES ${rows}`, entries.flat());
}

/** The fingerprint to store: a racy one is stored as unknown, so the next command re-checks. */
export function storedFingerprint(fp: Fingerprint): string {
  return fp.racy ? "" : fp.value;
}

const ids = (rows: Record<string, SqlValue>[]): string[] => rows.map((r) => String(r["id"]));
const idList = (list: string[]): [ReturnType<typeof listValue>] => [listValue(list)];

/**
 * Bring the index in line with the refs and the annotation notes in one transaction:
 * add new experiments, drop gone ones, refold annotations when the notes moved.
 */
export async function syncInto(db: IndexDatabase, repo: Repository, options: SyncOptions): Promise<SyncReport> {
  const [tip, meta, seenLoose] = await Promise.all([annotationsTip(repo), options.meta ?? readMeta(db), readSeenLoose(db)]);
  // Taken before reading any ref: a ref created meanwhile is seen again next time.
  const loose = looseExperimentRefs(repo, seenLoose);
  const quick = options.full ? null : newLooseRefs(loose, meta, seenLoose);
  const listing = quick ? null : await listExperimentRefs(repo);
  const report: SyncReport = {
    added: 0,
    removed: 0,
    updated: 0,
    skipped: [],
    corruptRefs: listing ? listing.corrupt.map((c) => c.ref) : [],
    total: 0,
    rebuilt: options.full,
    upToDate: false,
  };
  // An update is one transaction; a full build writes a file nobody reads until it is
  // renamed into place (a failed one is deleted): committing it as a whole buys nothing.
  const atomically = (fn: () => Promise<void>): Promise<void> => (options.full ? fn() : db.transaction(fn));
  await atomically(async () => {
    await db.run("CREATE OR REPLACE TEMP TABLE _added (id VARCHAR)");
    const { gone, fresh } = await changedRefs(db, quick, listing, options.full);
    await removeExperiments(db, gone, true);
    report.removed = gone.length;
    // Stored as "" when there are no notes: compared the same way, or every update re-reads them.
    const notesMoved = (tip ?? "") !== (meta["notes_tip"] ?? "") || options.full;
    let events: Map<string, AnnotationEvent[]>;
    if (notesMoved) {
      events = await readAllAnnotations(repo);
      const refold = await applyAnnotations(db, events);
      report.updated = refold.updated;
      fresh.push(...refold.restored);
    } else {
      events = fresh.length > 0 ? await eventsFromIndex(db) : new Map();
    }
    const loaded = await loadExperiments(db, repo, fresh, events, report, options);
    report.added = loaded.count;
    const changed = options.full || gone.length > 0 || fresh.length > 0 || report.updated > 0;
    let signature = meta["runs_columns"] ?? null;
    if (changed) {
      const onlyAdded = !options.full && gone.length === 0 && report.updated === 0;
      await refreshKeys(db, onlyAdded ? loaded.keys : undefined);
      signature = await refreshRuns(db, options.full ? null : signature, "_added", report.updated > 0, onlyAdded ? (loaded.runs ?? undefined) : undefined);
    }
    await writeLooseState(db, loose, seenLoose);
    await writeMeta(db, {
      packed_refs: loose?.packedStamp ?? "",
      format: String(INDEX_FORMAT),
      fingerprint: storedFingerprint(options.fingerprint),
      notes_tip: tip ?? "",
      runs_columns: signature ?? "",
      synced_at: new Date().toISOString(),
    }, meta);
    report.total = Number(await db.value("SELECT count(*) FROM experiments"));
    report.upToDate = !changed;
  });
  return report;
}

/**
 * Which experiments are gone and which are new. A full build starts empty: every ref is
 * new. A few new loose refs are looked up by value (a table of them and a hash of every
 * indexed id cost ~10 ms at 100,000); otherwise every ref goes into a table to compare.
 */
async function changedRefs(
  db: IndexDatabase,
  quick: string[] | null,
  listing: RefListing | null,
  full: boolean,
): Promise<{ gone: string[]; fresh: string[] }> {
  if (full) return { gone: [], fresh: [...new Set(listing!.refs.map((r) => r.id))] };
  if (quick && quick.length <= FEW_NEW) {
    if (quick.length === 0) return { gone: [], fresh: [] };
    const list = quick.map((_, i) => `$${i + 1}`).join(", ");
    const known = new Set(ids(await db.rows(`SELECT id FROM experiments WHERE id IN (${list}) UNION ALL SELECT id FROM _hidden WHERE id IN (${list})`, quick)));
    return { gone: [], fresh: quick.filter((id) => !known.has(id)) };
  }
  await db.run("CREATE OR REPLACE TEMP TABLE _refs (id VARCHAR)");
  const refs = await db.appender("_refs");
  for (const id of quick ?? listing!.refs.map((r) => r.id)) {
    refs.appendVarchar(id);
    refs.endRow();
  }
  refs.closeSync();
  // With only new loose refs, nothing can be gone and _refs holds just the new ones.
  const gone = quick
    ? []
    : ids(
        await db.rows(`SELECT id FROM experiments WHERE id NOT IN (SELECT id FROM _refs)
                   UNION ALL SELECT id FROM _hidden WHERE id NOT IN (SELECT id FROM _refs)`),
      );
  const among = quick ? " WHERE id IN (SELECT id FROM _refs)" : "";
  const fresh = ids(
    await db.rows(`SELECT id FROM _refs WHERE id NOT IN (SELECT id FROM experiments${among}) AND id NOT IN (SELECT id FROM _hidden${among})`),
  );
  return { gone, fresh };
}

/** Up to this many new loose refs, their ids are looked up as parameters. */
const FEW_NEW = 64;

/**
 * The experiment ids of new loose refs when they are the only change to refs since the
 * last sync (packed-refs the same file, no loose ref gone, every new one well formed);
 * null when the refs must be listed.
 */
function newLooseRefs(loose: LooseRefState | null, meta: IndexMeta, seen: Set<string>): string[] | null {
  if (!loose || loose.packedStamp === "" || meta["packed_refs"] !== loose.packedStamp) return null;
  const fresh: string[] = [];
  for (const [name, target] of loose.loose) {
    if (seen.has(name)) continue;
    if (target !== name) return null; // corrupt: the listing reports it
    fresh.push(name);
  }
  for (const name of seen) if (!loose.loose.has(name)) return null;
  return fresh;
}

async function readSeenLoose(db: IndexDatabase): Promise<Set<string>> {
  return new Set(ids(await db.rows("SELECT name AS id FROM _loose_refs")));
}

/** Only the difference is written: thousands of loose refs would otherwise be rewritten (and logged) by every update. */
async function writeLooseState(db: IndexDatabase, loose: LooseRefState | null, seen: Set<string>): Promise<void> {
  const now = loose?.loose ?? new Map<string, string>();
  const gone = [...seen].filter((n) => !now.has(n));
  const added = [...now.keys()].filter((n) => !seen.has(n));
  if (gone.length > 0) await db.run("DELETE FROM _loose_refs WHERE name IN (SELECT unnest($1::VARCHAR[]))", idList(gone));
  if (added.length === 0) return;
  const a = await db.appender("_loose_refs");
  for (const name of added) appendRow(a, [name]);
  a.flushSync();
  a.closeSync();
}

async function loadExperiments(
  db: IndexDatabase,
  repo: Repository,
  fresh: string[],
  events: Map<string, AnnotationEvent[]>,
  report: SyncReport,
  { full, onProgress, noFiles }: SyncOptions,
): Promise<{ count: number; keys: KeyTallyRow[]; runs: RunsRow[] | null }> {
  if (fresh.length === 0) return { count: 0, keys: [], runs: [] };
  // A few experiments are appended row by row; many go through DuckDB's JSON reader.
  const few = fresh.length <= RowLoader.FEW || noFiles ? RowLoader.direct(!full) : null;
  const bulk = few ? null : new BulkLoader(db);
  // Nothing else touches the connection while batches load: these rows wait till the end.
  const hidden: [string, string, string | null][] = [];
  const added: string[] = [];
  let done = 0;
  await readForIndex(repo, fresh, (id, r) => {
    done++;
    if (r instanceof Error) {
      hidden.push([id, "invalid", r.message]);
      report.skipped.push({ id, reason: r.message });
    } else {
      const state = foldAnnotations(r.experiment.meta, events.get(id) ?? []);
      if (state.deleted) hidden.push([id, "deleted", null]);
      else {
        if (few) few.add(id, r.experiment, r.configHash, state);
        else bulk!.add(id, r, state);
        added.push(id);
      }
    }
    if (done % 1000 === 0) onProgress?.(done, fresh.length);
  });
  onProgress?.(fresh.length, fresh.length);
  if (few) await few.finish(db);
  else await bulk!.finish();
  const h = await db.appender("_hidden");
  for (const row of hidden) appendRow(h, row);
  h.flushSync();
  h.closeSync();
  const a = await db.appender("_added");
  for (const id of added) appendRow(a, [id]);
  a.flushSync();
  a.closeSync();
  // A full build counts keys in SQL once loaded; an update of many counts the new rows'.
  const keys = few?.keys?.rows() ?? (full ? [] : await tallyKeys(db, "_added"));
  return { count: added.length, keys, runs: few?.runs ?? null };
}

function appendRow(a: DuckDBAppender, cells: (string | null)[]): void {
  for (const c of cells) {
    if (c === null) a.appendNull();
    else a.appendVarchar(c);
  }
  a.endRow();
}

/** Drop experiments' rows everywhere; `hiddenToo` forgets that they were hidden. */
async function removeExperiments(db: IndexDatabase, list: string[], hiddenToo: boolean): Promise<void> {
  if (list.length === 0) return;
  const tables = hiddenToo ? [...PER_EXPERIMENT_TABLES, "_hidden"] : PER_EXPERIMENT_TABLES;
  for (const t of tables) await db.run(`DELETE FROM ${t} WHERE id IN (SELECT unnest($1::VARCHAR[]))`, idList(list));
}

async function eventsFromIndex(db: IndexDatabase): Promise<Map<string, AnnotationEvent[]>> {
  const out = new Map<string, AnnotationEvent[]>();
  for (const r of await db.rows("SELECT id, string_agg(event, chr(10)) AS events FROM annotations GROUP BY id")) {
    out.set(String(r["id"]), parseEvents(String(r["events"])));
  }
  return out;
}

/**
 * The notes moved: store every event, then fold again each experiment whose events
 * changed or disappeared. Returns experiments a `restore` brought back, to be read.
 */
async function applyAnnotations(db: IndexDatabase, events: Map<string, AnnotationEvent[]>): Promise<{ updated: number; restored: string[] }> {
  const before = await eventsFromIndex(db);
  await db.run("DELETE FROM annotations");
  const a = await db.appender("annotations");
  for (const [id, list] of events) {
    for (const e of list) {
      const at = Date.parse(e.at);
      a.appendVarchar(id);
      a.appendVarchar(e.op);
      if (Number.isNaN(at)) a.appendNull();
      else a.appendTimestamp(timestampValue(BigInt(at) * 1000n));
      for (const v of [e.by?.name, e.by?.email, e.tag, e.name, e.text, eventText(e)]) {
        if (typeof v === "string") a.appendVarchar(v);
        else a.appendNull();
      }
      a.endRow();
    }
  }
  a.flushSync();
  a.closeSync();
  const touched = [...new Set([...before.keys(), ...events.keys()])].filter(
    (id) => eventsKey(before.get(id)) !== eventsKey(events.get(id)),
  );
  if (touched.length === 0) return { updated: 0, restored: [] };
  const recorded = new Map(
    (await db.rows("SELECT id, name, tags FROM _recorded WHERE id IN (SELECT unnest($1::VARCHAR[]))", idList(touched))).map((r) => [
      String(r["id"]),
      { name: r["name"] === null ? undefined : String(r["name"]), tags: (r["tags"] as string[] | null) ?? [] },
    ]),
  );
  const deletedBefore = new Set(
    ids(await db.rows("SELECT id FROM _hidden WHERE reason = 'deleted' AND id IN (SELECT unnest($1::VARCHAR[]))", idList(touched))),
  );
  let updated = 0;
  const restored: string[] = [];
  for (const id of touched) {
    const list = events.get(id) ?? [];
    if (deletedBefore.has(id)) {
      if (!foldAnnotations({}, list).deleted) {
        await db.run("DELETE FROM _hidden WHERE id = $1", [id]);
        restored.push(id);
      }
      continue;
    }
    const rec = recorded.get(id);
    if (!rec) continue;
    const state = foldAnnotations(rec, list);
    updated++;
    if (state.deleted) {
      await removeExperiments(db, [id], false);
      await db.run("INSERT INTO _hidden VALUES ($1, 'deleted', NULL)", [id]);
      continue;
    }
    await db.run("UPDATE experiments SET name = $2 WHERE id = $1 AND name IS DISTINCT FROM $2", [id, state.name]);
    await db.run("DELETE FROM tags WHERE id = $1", [id]);
    if (state.tags.length > 0) await db.run("INSERT INTO tags SELECT $1, unnest($2::VARCHAR[])", [id, listValue(state.tags)]);
  }
  return { updated, restored };
}

function eventsKey(list: AnnotationEvent[] | undefined): string {
  return (list ?? []).map(eventText).sort().join("");
}

/** Events as canonical text; never throws, whatever another tool wrote. */
function eventText(e: AnnotationEvent): string {
  return canonicalJson(e as unknown as JsonObject).trimEnd();
}

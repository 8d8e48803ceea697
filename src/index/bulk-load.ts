import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { canonicalJson, type JsonObject } from "../core/json.js";
import { seriesNameFromPath } from "../core/experiment.js";
import type { IndexDatabase } from "./database.js";
import { experimentsRow, fileRows, RowLoader, type ShownState } from "./load.js";
import type { IndexedRead } from "./read.js";

/**
 * Many experiments into the tables through DuckDB's own JSON reader. JavaScript has parsed
 * and checked every file against its schema (read.ts); here it writes one NDJSON line per
 * experiment, made of the files' own bytes where they are canonical, and DuckDB parses the
 * lines a batch at a time on its threads, unnests the series and flattens params, env and
 * results in SQL (FLATTEN below), while JavaScript goes on reading the next batch from git.
 * At 100,000 experiments the JavaScript loader spent most of the build staging rows value
 * by value; DuckDB reads the same documents several times faster.
 *
 * An experiment whose files hold a `\u` escape (a control character or a lone surrogate,
 * which DuckDB either refuses or writes back in another spelling) is loaded by RowLoader
 * instead, value by value: the two give the same rows (tests/index-loader-oracle.test.ts).
 */
export class BulkLoader {
  private fd = -1;
  private file = "";
  private batches = 0;
  private lines = 0;
  private bytes = 0;
  private longest = 0;
  private out: Buffer[] = [];
  private outBytes = 0;
  /** Batches handed to DuckDB, one at a time on the one connection. */
  private ingesting: Promise<void> = Promise.resolve();
  private failed: unknown = undefined;
  private readonly odd = RowLoader.direct(false);

  constructor(private readonly db: IndexDatabase) {}

  add(id: string, read: IndexedRead, shown: ShownState): void {
    const line = ndjsonLine(id, read, shown);
    if (line === null) return this.odd.add(id, read.experiment, read.configHash, shown);
    if (this.fd < 0) this.openBatch();
    this.push(line);
    this.lines++;
    this.longest = Math.max(this.longest, line.length);
    if (this.bytes >= BATCH_BYTES || this.lines >= BATCH_LINES) this.closeBatch();
  }

  /** Everything added is in the tables once this resolves. */
  async finish(): Promise<void> {
    if (this.fd >= 0) this.closeBatch();
    await this.ingesting;
    if (this.failed !== undefined) throw this.failed;
    await this.odd.finish(this.db);
  }

  private push(line: Buffer): void {
    this.out.push(line);
    this.outBytes += line.length;
    this.bytes += line.length;
    if (this.outBytes >= WRITE_BYTES) this.flush();
  }

  private flush(): void {
    if (this.out.length === 0) return;
    writeSync(this.fd, Buffer.concat(this.out, this.outBytes));
    this.out = [];
    this.outBytes = 0;
  }

  private openBatch(): void {
    // Named under the index's build prefix: a killed build's batches go with its file.
    this.file = `${this.db.path.replace(/\.tmp-\d+$/, "")}.tmp-${process.pid}-batch-${this.batches++}.ndjson`;
    this.fd = openSync(this.file, "w");
  }

  private closeBatch(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    const { file, longest } = this;
    this.lines = this.bytes = this.longest = 0;
    this.ingesting = this.ingesting.then(async () => {
      try {
        if (this.failed === undefined) await ingest(this.db, file, longest);
      } catch (e) {
        this.failed = e;
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
}

/** A batch is handed to DuckDB at this many bytes or experiments, whichever comes first. */
const BATCH_BYTES = 24 << 20;
const BATCH_LINES = 20_000;
/** Lines are written to the batch file in pieces of about this size. */
const WRITE_BYTES = 1 << 20;

const q = (s: string | null | undefined): string => (s === null || s === undefined ? "null" : JSON.stringify(s));

/**
 * The NDJSON line for one experiment (the columns of BATCH_COLUMNS), or null when one of
 * its files holds a `\u` escape (see BulkLoader).
 */
function ndjsonLine(id: string, read: IndexedRead, shown: ShownState): Buffer | null {
  const { experiment: exp, files } = read;
  const config = canonicalBytes(exp.config);
  const results = canonicalBytes(exp.results, true);
  const env = exp.env ? canonicalBytes(exp.env) : NULL;
  if (config === null || results === null || env === null) return null;
  const row = experimentsRow(id, exp, read.configHash, shown);
  const head = JSON.stringify({
    i: id,
    name: row[1],
    status: row[2],
    created_ms: row[3],
    created_by: row[4],
    created_by_email: row[5],
    source_commit: row[6],
    branch: row[7],
    dirty: row[8],
    config_hash: row[9],
    message: row[10],
    command: row[11],
    exit_code: row[12],
    duration_s: row[13],
    parents: row[14],
    sweep_id: row[15],
    sweep_index: row[16],
    sweep_method: row[17],
    sweep_metric: row[18],
    sweep_goal: row[19],
    pruned_rule: row[20],
    pruned_at_step: row[21],
    tags: shown.tags,
    rec_name: exp.meta.name ?? null,
    rec_tags: exp.meta.tags ?? [],
    f: [...fileRows("inputs", exp.inputs), ...fileRows("outputs", exp.outputs)].map(([t, path, sha256, size, info]) => ({ t, path, sha256, size, info })),
  });
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"p":`), config, P_R, results, P_E, env];
  // Plain series (numbers and nulls only) as they are stored, read as DOUBLE[]; the rest
  // (NaN, infinities, times) as canonical text with their values read as text, then cast.
  let plain = "";
  let other = "";
  for (const [metric, data] of seriesFiles(files)) {
    const key = q(metric);
    if (isPlainSeries(data)) {
      parts.push(Buffer.from(`${plain === "" ? ',"s":{' : ","}${key}:`), data.subarray(0, data.length - 1));
      plain = "}";
      continue;
    }
    const text = canonicalJson(exp.series[metric], { nonFinite: "encode" }).trimEnd();
    if (text.includes("\\u")) return null;
    other += `${other === "" ? "" : ","}${key}:${text}`;
  }
  if (plain !== "") parts.push(CLOSE);
  parts.push(Buffer.from(other === "" ? "}\n" : `,"sn":{${other}}}\n`));
  return Buffer.concat(parts);
}

/** Each series file by metric, as experimentFromFiles pairs them (a later spelling of a name wins). */
function seriesFiles(files: Map<string, Uint8Array>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [path, data] of files) {
    const metric = seriesNameFromPath(path);
    if (metric !== undefined) out.set(metric, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return out;
}

const NULL = Buffer.from("null");
const P_R = Buffer.from(',"r":');
const P_E = Buffer.from(',"e":');
const CLOSE = Buffer.from("}");

/**
 * A file as DuckDB is given it: the canonical form of what was parsed from it, without its
 * newline (for a file git-exp wrote, its own bytes again: one line, no key twice,
 * ECMAScript numbers, which is what `params.value` must read); null when that holds a `\u`
 * escape or cannot be written (RowLoader meets the same value and says what is wrong).
 */
function canonicalBytes(value: JsonObject, nonFinite = false): Buffer | null {
  let canonical: string;
  try {
    canonical = canonicalJson(value, nonFinite ? { nonFinite: "encode" } : {});
  } catch {
    return null;
  }
  if (canonical.includes("\\u")) return null;
  return Buffer.from(canonical.slice(0, -1));
}

/**
 * `{"step":[...],"value":[...]}` and a newline, with no string anywhere (so no NaN, no
 * escape, no time, no key twice): read by DuckDB as it is. Checked with a few scans.
 */
function isPlainSeries(b: Buffer): boolean {
  if (b.length < 24 || !b.subarray(0, 9).equals(STEP_OPEN) || b[b.length - 1] !== 10 || b[b.length - 2] !== 0x7d || b[b.length - 3] !== 0x5d) return false;
  const value = b.indexOf(VALUE_OPEN, 9);
  // N and I: Python's bare NaN and Infinity, which JSON.parse's fallback accepts and DuckDB does not.
  return (
    value > 0 &&
    b.indexOf(0x22, 9) === value + 2 &&
    b.indexOf(0x22, value + 9) < 0 &&
    b.indexOf(10) === b.length - 1 &&
    b.indexOf(0x4e) < 0 &&
    b.indexOf(0x49) < 0
  );
}

const STEP_OPEN = Buffer.from('{"step":[');
const VALUE_OPEN = Buffer.from('],"value":[');

/** The batch file's columns, as ndjsonLine writes them. */
const BATCH_COLUMNS = {
  i: "VARCHAR",
  name: "VARCHAR",
  status: "VARCHAR",
  created_ms: "BIGINT",
  created_by: "VARCHAR",
  created_by_email: "VARCHAR",
  source_commit: "VARCHAR",
  branch: "VARCHAR",
  dirty: "BOOLEAN",
  config_hash: "VARCHAR",
  message: "VARCHAR",
  command: "VARCHAR",
  exit_code: "BIGINT",
  duration_s: "DOUBLE",
  parents: "VARCHAR[]",
  sweep_id: "VARCHAR",
  sweep_index: "BIGINT",
  sweep_method: "VARCHAR",
  sweep_metric: "VARCHAR",
  sweep_goal: "VARCHAR",
  pruned_rule: "VARCHAR",
  pruned_at_step: "DOUBLE",
  tags: "VARCHAR[]",
  rec_name: "VARCHAR",
  rec_tags: "VARCHAR[]",
  f: "STRUCT(t VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT, info VARCHAR)[]",
  p: "JSON",
  r: "JSON",
  e: "JSON",
  s: "MAP(VARCHAR, STRUCT(step DOUBLE[], value DOUBLE[]))",
  sn: "MAP(VARCHAR, STRUCT(step DOUBLE[], value VARCHAR[]))",
};

const columnsSpec = `{${Object.entries(BATCH_COLUMNS)
  .map(([k, t]) => `${k}: '${t}'`)
  .join(", ")}}`;

/**
 * params, env and results flattened to dotted key paths, as flattenParams and
 * flattenMetrics do: a non-empty object is a group (for results, any object), anything else
 * a value. `path` is the list of keys, which sorts as the JavaScript walk visits them.
 */
const FLATTEN = `CREATE OR REPLACE TEMP TABLE _batch_flat AS
  WITH RECURSIVE f(kind, id, key, path, v) AS (
    SELECT 'p', i, NULL::VARCHAR, []::VARCHAR[], p FROM _batch
    UNION ALL SELECT 'e', i, NULL, [], e FROM _batch WHERE e IS NOT NULL
    UNION ALL SELECT 'r', i, NULL, [], r FROM _batch
    UNION ALL
    SELECT f.kind, f.id, CASE WHEN f.key IS NULL THEN m.key ELSE f.key || '.' || m.key END, list_append(f.path, m.key), m.value
    FROM f, unnest(map_entries(CASE WHEN ${isGroup("f")} THEN CAST(f.v AS MAP(VARCHAR, JSON)) END)) AS t(m)
  )
  SELECT kind, id, key, path, v, json_type(v) AS type FROM f WHERE key IS NOT NULL AND NOT ${isGroup("f")}`;

function isGroup(f: string): string {
  return `coalesce(json_type(${f}.v) = 'OBJECT' AND (${f}.key IS NULL OR ${f}.kind = 'r' OR ${f}.v::VARCHAR <> '{}'), false)`;
}

/** A flattened value as paramText writes it: a string as it is, anything else as its JSON. */
const VALUE_TEXT = "CASE WHEN type = 'VARCHAR' THEN json_extract_string(v, '$') ELSE v::VARCHAR END";
const VALUE_TYPE = `CASE WHEN v IS NULL THEN 'null' WHEN type = 'VARCHAR' THEN 'string' WHEN type = 'BOOLEAN' THEN 'boolean'
  WHEN type = 'ARRAY' THEN 'array' WHEN type = 'OBJECT' THEN 'object' ELSE 'number' END`;
const VALUE_NUMBER = "CASE WHEN type IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(v::VARCHAR AS DOUBLE) END";

/** Per series: seriesStats in SQL (NaN and missing points never win; the first of equal points wins). */
const SERIES_STATS = `SELECT id, key, len(sv.step) AS points, list_filter(sv.value, lambda x: x IS NOT NULL)[-1] AS last_v,
    list_min(list_filter(sv.value, lambda x: NOT isnan(x))) AS min_v, list_max(list_filter(sv.value, lambda x: NOT isnan(x))) AS max_v, sv
  FROM _batch_series`;

async function ingest(db: IndexDatabase, file: string, longest: number): Promise<void> {
  const size = Math.max(16 << 20, 2 * longest);
  const path = file.replace(/'/g, "''");
  const statements = [
    `CREATE OR REPLACE TEMP TABLE _batch AS SELECT * FROM read_ndjson('${path}', columns = ${columnsSpec}, maximum_object_size = ${size})`,
    `INSERT INTO experiments SELECT i, name, status, epoch_ms(created_ms), created_by, created_by_email, source_commit, branch, dirty,
       config_hash, message, command, exit_code, duration_s, parents,
       sweep_id, sweep_index, sweep_method, sweep_metric, sweep_goal, pruned_rule, pruned_at_step FROM _batch`,
    "INSERT INTO _recorded SELECT i, rec_name, rec_tags FROM _batch",
    "INSERT INTO tags SELECT i, unnest(tags) FROM _batch",
    ...["inputs", "outputs"].map(
      (t) => `INSERT INTO ${t} SELECT i, x.path, x.sha256, x.size, x.info FROM (SELECT i, unnest(f) AS x FROM _batch) WHERE x.t = '${t}'`,
    ),
    FLATTEN,
    `INSERT INTO params SELECT id, key, ${VALUE_TEXT}, ${VALUE_NUMBER}, ${VALUE_TYPE} FROM _batch_flat WHERE kind = 'p'`,
    `INSERT INTO env SELECT id, key, ${VALUE_TEXT} FROM _batch_flat WHERE kind = 'e'`,
    `CREATE OR REPLACE TEMP TABLE _batch_series AS
       SELECT i AS id, unnest(map_keys(s)) AS key, unnest(map_values(s)) AS sv FROM _batch
       UNION ALL
       SELECT i, unnest(map_keys(sn)),
         unnest(list_transform(map_values(sn), lambda x: {'step': x.step, 'value': list_transform(x.value, lambda y: CAST(y AS DOUBLE))}))
       FROM _batch`,
    "INSERT INTO series SELECT id, key, unnest(sv.step), unnest(sv.value) FROM _batch_series",
    `INSERT INTO metrics
       SELECT coalesce(f.id, s.id), coalesce(f.key, s.key), CASE WHEN f.id IS NULL THEN s.last_v ELSE f.num END, f.id IS NOT NULL,
         s.points, s.last_v, s.min_v, s.max_v, 
         CASE WHEN s.min_v IS NOT NULL THEN s.sv.step[list_position(s.sv.value, s.min_v)] END,
         CASE WHEN s.max_v IS NOT NULL THEN s.sv.step[list_position(s.sv.value, s.max_v)] END
       FROM (SELECT id, key, arg_max_null(CAST(json_extract_string(v, '$') AS DOUBLE), path) AS num FROM _batch_flat WHERE kind = 'r' GROUP BY id, key) f
       FULL OUTER JOIN (${SERIES_STATS}) s ON f.id = s.id AND f.key = s.key`,
    "DROP TABLE _batch",
    "DROP TABLE _batch_flat",
    "DROP TABLE _batch_series",
  ];
  for (const sql of statements) await db.run(sql);
}

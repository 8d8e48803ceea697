import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { canonicalJson } from "../core/json.js";
import { flattenParams, seriesNameFromPath } from "../core/experiment.js";
import { paramNumber, paramText, paramType } from "./param-values.js";
import type { IndexDatabase } from "./database.js";
import { experimentsRow, fileRows, metricRows, RowLoader, type ShownState } from "./load.js";
import type { IndexedRead } from "./read.js";

/**
 * Many experiments into the tables through DuckDB's own JSON reader. JavaScript has parsed
 * and checked every file against its schema (read.ts) and makes every row but the series
 * with RowLoader's own functions; it writes them as one NDJSON line per experiment, with the
 * series files as stored, into batch files that DuckDB parses on its threads and unnests
 * into the tables while JavaScript goes on reading the next batch from git: the two cores
 * work at once, and the 30 million series points of 100,000 training runs never pass
 * through JavaScript one by one. (Flattening params and results in SQL as well, with a
 * recursive query over DuckDB's JSON type, was tried: it cost DuckDB more than it saved
 * JavaScript, which then waited for DuckDB.)
 *
 * An experiment holding a lone surrogate, which DuckDB's reader refuses, is loaded by
 * RowLoader instead: both give the same rows (tests/index-loader-oracle.test.ts).
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

/**
 * The NDJSON line for one experiment (the columns of BATCH_COLUMNS): its rows of every table
 * but the series as RowLoader makes them (the same functions), its series as stored; null
 * when it holds a lone surrogate, which DuckDB's reader refuses (see BulkLoader).
 */
function ndjsonLine(id: string, read: IndexedRead, shown: ShownState): Buffer | null {
  const { experiment: exp, files } = read;
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
    sweep_size: row[22],
    tags: shown.tags,
    rec_name: exp.meta.name ?? null,
    rec_tags: exp.meta.tags ?? [],
    f: [...fileRows("inputs", exp.inputs), ...fileRows("outputs", exp.outputs)].map(([t, path, sha256, size, info]) => ({ t, path, sha256, size, info })),
    p: flattenParams(exp.config).map(([k, v]) => ({ k, v: paramText(v), n: num(paramNumber(v)), t: paramType(v) })),
    e: exp.env ? flattenParams(exp.env).map(([k, v]) => ({ k, v: paramText(v) })) : [],
    m: metricRows(exp).map(({ key, value, final, stats: st }) => ({
      k: key,
      v: num(value),
      f: final,
      p: st?.points ?? null,
      l: num(st?.last),
      lo: num(st?.min),
      hi: num(st?.max),
      alo: num(st?.argmin),
      ahi: num(st?.argmax),
    })),
  });
  if (LONE_SURROGATE.test(head)) return null;
  const parts: Buffer[] = [Buffer.from(head.slice(0, -1))];
  // Plain series (numbers and nulls only) as they are stored, read as DOUBLE[]; the rest
  // (NaN, infinities, times) as canonical text with their values read as text, then cast.
  let plain = "";
  let other = "";
  for (const [metric, data] of seriesFiles(files)) {
    const key = JSON.stringify(metric);
    if (isPlainSeries(data)) {
      parts.push(Buffer.from(`${plain === "" ? ',"s":{' : ","}${key}:`), data.subarray(0, data.length - 1));
      plain = "}";
      continue;
    }
    const text = canonicalJson(exp.series[metric], { nonFinite: "encode" }).trimEnd();
    if (LONE_SURROGATE.test(text)) return null;
    other += `${other === "" ? "" : ","}${key}:${text}`;
  }
  if (plain !== "") parts.push(CLOSE);
  parts.push(Buffer.from(other === "" ? "}\n" : `,"sn":{${other}}}\n`));
  return Buffer.concat(parts);
}

/**
 * JSON.stringify writes a lone surrogate as an escape, and only that one: a match may also be
 * an escaped backslash before "ud800" in a string, which merely takes the slower way.
 */
const LONE_SURROGATE = /\\u[dD][89a-fA-F]/;

/** A number as the batch file holds it: NaN and infinities as the strings JSON lacks, read back by a cast. */
function num(x: number | null | undefined): number | string | null {
  if (x === null || x === undefined) return null;
  return Number.isFinite(x) ? x : String(x);
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

const CLOSE = Buffer.from("}");

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
  sweep_size: "BIGINT",
  tags: "VARCHAR[]",
  rec_name: "VARCHAR",
  rec_tags: "VARCHAR[]",
  f: "STRUCT(t VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT, info VARCHAR)[]",
  p: "STRUCT(k VARCHAR, v VARCHAR, n VARCHAR, t VARCHAR)[]",
  e: "STRUCT(k VARCHAR, v VARCHAR)[]",
  m: "STRUCT(k VARCHAR, v VARCHAR, f BOOLEAN, p BIGINT, l VARCHAR, lo VARCHAR, hi VARCHAR, alo DOUBLE, ahi DOUBLE)[]",
  s: "MAP(VARCHAR, STRUCT(step DOUBLE[], value DOUBLE[]))",
  sn: "MAP(VARCHAR, STRUCT(step DOUBLE[], value VARCHAR[]))",
};

const columnsSpec = `{${Object.entries(BATCH_COLUMNS)
  .map(([k, t]) => `${k}: '${t}'`)
  .join(", ")}}`;

async function ingest(db: IndexDatabase, file: string, longest: number): Promise<void> {
  const size = Math.max(16 << 20, 2 * longest);
  const path = file.replace(/'/g, "''");
  const statements = [
    `CREATE OR REPLACE TEMP TABLE _batch AS SELECT * FROM read_ndjson('${path}', columns = ${columnsSpec}, maximum_object_size = ${size})`,
    `INSERT INTO experiments SELECT i, name, status, epoch_ms(created_ms), created_by, created_by_email, source_commit, branch, dirty,
       config_hash, message, command, exit_code, duration_s, parents,
       sweep_id, sweep_index, sweep_method, sweep_metric, sweep_goal, pruned_rule, pruned_at_step, sweep_size FROM _batch`,
    "INSERT INTO _recorded SELECT i, rec_name, rec_tags FROM _batch",
    "INSERT INTO tags SELECT i, unnest(tags) FROM _batch",
    ...["inputs", "outputs"].map(
      (t) => `INSERT INTO ${t} SELECT i, x.path, x.sha256, x.size, x.info FROM (SELECT i, unnest(f) AS x FROM _batch) WHERE x.t = '${t}'`,
    ),
    "INSERT INTO params SELECT i, x.k, x.v, CAST(x.n AS DOUBLE), x.t FROM (SELECT i, unnest(p) AS x FROM _batch)",
    "INSERT INTO env SELECT i, x.k, x.v FROM (SELECT i, unnest(e) AS x FROM _batch)",
    `INSERT INTO metrics SELECT i, x.k, CAST(x.v AS DOUBLE), x.f, x.p, CAST(x.l AS DOUBLE), CAST(x.lo AS DOUBLE), CAST(x.hi AS DOUBLE), x.alo, x.ahi
       FROM (SELECT i, unnest(m) AS x FROM _batch)`,
    `INSERT INTO series SELECT i, key, unnest(sv.step), unnest(sv.value) FROM (
       SELECT i, unnest(map_keys(s)) AS key, unnest(map_values(s)) AS sv FROM _batch
       UNION ALL
       SELECT i, unnest(map_keys(sn)),
         unnest(list_transform(map_values(sn), lambda x: {'step': x.step, 'value': list_transform(x.value, lambda y: CAST(y AS DOUBLE))}))
       FROM _batch)`,
    "DROP TABLE _batch",
  ];
  for (const sql of statements) await db.run(sql);
}

import type { DuckDBAppender, DuckDBDataChunk as DataChunk, DuckDBType } from "@duckdb/node-api";
import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, bindings } from "./duckdb.js";
import { quoteIdent } from "./runs.js";
import type { IndexDatabase } from "./database.js";

/**
 * How a column of an index table is staged: text as a code into one dictionary, lists of
 * text as one dictionary string, every number as a DOUBLE, booleans as they are.
 */
export type ColumnKind = "text" | "double" | "bigint" | "timestamp" | "bool" | "textlist";

export interface StagedColumn {
  name: string;
  kind: ColumnKind;
}

/** A staged cell: timestamps as epoch milliseconds, text lists as arrays. */
export type StagedCell = string | number | bigint | boolean | string[] | null;

/** Where a load's rows go: staged in bulk, or appended directly for a few experiments. */
export interface RowSink {
  add(table: string, cells: StagedCell[]): void;
  /**
   * Rows that share their first cells (`fixed`) and take the rest from parallel number
   * columns: a series' points, without an array per point.
   */
  addColumns(table: string, fixed: StagedCell[], columns: ArrayLike<number | bigint | null | undefined>[]): void;
  /** Everything added goes into its table. */
  finish(db: IndexDatabase): Promise<void>;
}

const isText = (kind: ColumnKind): boolean => kind === "text" || kind === "textlist";

/** DuckDB's vector size: one data chunk per append. */
const CHUNK = 2048;

/** Text lists are joined with the unit separator: no tag or experiment id can hold it. */
const LIST_SEPARATOR = "\u001f";

const STAGE_TYPE: Record<ColumnKind, DuckDBType> = {
  text: INTEGER,
  textlist: INTEGER,
  double: DOUBLE,
  bigint: DOUBLE,
  timestamp: DOUBLE,
  bool: BOOLEAN,
};

/**
 * Strings seen by one load, each given a dense code. Only a new string crosses into DuckDB
 * as text: an experiment id on 20 series rows, or a key on 100,000 experiments, once.
 */
class Dictionary {
  private readonly codes = new Map<string, number>();
  private pending: string[] = [];
  private appender: DuckDBAppender | null = null;

  constructor(readonly table: string) {}

  async open(db: IndexDatabase): Promise<void> {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${this.table} (code INTEGER, s VARCHAR)`);
    this.appender = await db.appender(this.table);
  }

  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.codes.size;
      this.codes.set(s, c);
      this.pending.push(s);
      if (this.pending.length === CHUNK) this.flush();
    }
    return c;
  }

  flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR], n);
    const texts = chunk.getColumnVector(1);
    const first = this.codes.size - n;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      codes[i] = first + i;
      texts.setItem(i, this.pending[i]!);
    }
    fillColumn(chunk, 0, codes);
    texts.flush();
    this.appender!.appendDataChunk(chunk);
    this.pending = [];
  }

  close(): void {
    this.flush();
    this.appender?.flushSync();
    this.appender?.closeSync();
  }
}

/**
 * A typed array copied into a chunk's column by DuckDB's own binding: INTEGER from Int32,
 * DOUBLE from Float64, BOOLEAN from bytes (DuckDB's bool is one byte where it is built).
 */
function fillColumn(chunk: DataChunk, column: number, data: Int32Array | Float64Array | Uint8Array): void {
  const vector = bindings.data_chunk_get_vector(chunk.chunk, column);
  bindings.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

/** One table's rows, column by column in typed arrays until a chunk is full. */
class StagedTable {
  private readonly numbers: Float64Array[];
  private readonly isNull: Uint8Array[];
  private readonly lastText: (string | undefined)[];
  private readonly lastCode: number[];
  /** What a NULL cell is staged as: code -1 for text, 0 (flagged) for the rest. */
  private readonly nullValue: number[];
  /** The staging table's column types: a value, and a NULL flag for every non-text one. */
  private readonly stageTypes: DuckDBType[];
  private rows = 0;
  private appender: DuckDBAppender | null = null;

  constructor(
    readonly table: string,
    readonly columns: StagedColumn[],
    /** Each text column's dictionary (by column name: every table's `id` shares one). */
    private readonly dicts: Dictionary[],
  ) {
    this.numbers = columns.map(() => new Float64Array(CHUNK));
    this.isNull = columns.map(() => new Uint8Array(CHUNK));
    this.lastText = columns.map(() => undefined);
    this.lastCode = columns.map(() => -1);
    this.nullValue = columns.map((c) => (isText(c.kind) ? -1 : 0));
    this.stageTypes = columns.flatMap((c) => (isText(c.kind) ? [STAGE_TYPE[c.kind]] : [STAGE_TYPE[c.kind], BOOLEAN]));
  }

  get stage(): string {
    return `_stage_${this.table}`;
  }

  async open(db: IndexDatabase): Promise<void> {
    const cols = this.columns.map((c, i) => `c${i} ${STAGE_TYPE[c.kind].toString()}${isText(c.kind) ? "" : `, n${i} BOOLEAN`}`).join(", ");
    await db.run(`CREATE OR REPLACE TEMP TABLE ${this.stage} (${cols})`);
    this.appender = await db.appender(this.stage);
  }

  add(cells: StagedCell[]): void {
    const r = this.rows;
    for (let c = 0; c < this.columns.length; c++) {
      const v = cells[c];
      const isNull = v === null || v === undefined;
      this.isNull[c]![r] = isNull ? 1 : 0;
      this.numbers[c]![r] = isNull ? this.nullValue[c]! : this.encode(c, v);
    }
    if (++this.rows === CHUNK) this.flush();
  }

  /** See RowSink.addColumns: the fixed cells are encoded once; the rest are number columns. */
  addColumns(fixed: StagedCell[], columns: ArrayLike<number | bigint | null | undefined>[]): void {
    const k = fixed.length;
    const fixedNull = fixed.map((v) => v === null || v === undefined);
    const fixedValue = fixed.map((v, c) => (v === null || v === undefined ? this.nullValue[c]! : this.encode(c, v)));
    const rows = columns[0]?.length ?? 0;
    for (let i = 0; i < rows; i++) {
      const r = this.rows;
      for (let c = 0; c < k; c++) {
        this.isNull[c]![r] = fixedNull[c] ? 1 : 0;
        this.numbers[c]![r] = fixedValue[c]!;
      }
      for (let c = k; c < this.columns.length; c++) {
        const v = columns[c - k]![i];
        const isNull = v === null || v === undefined;
        this.isNull[c]![r] = isNull ? 1 : 0;
        // A step past 2^53 is parsed as a bigint: stored as the nearest double, as add() does.
        this.numbers[c]![r] = isNull ? 0 : typeof v === "number" ? v : Number(v);
      }
      if (++this.rows === CHUNK) this.flush();
    }
  }

  private encode(c: number, v: Exclude<StagedCell, null>): number {
    const kind = this.columns[c]!.kind;
    if (kind === "text" || kind === "textlist") {
      const text = kind === "text" ? String(v) : (v as string[]).join(LIST_SEPARATOR);
      // Rows come grouped by experiment and key: most lookups repeat the previous row's.
      if (text === this.lastText[c]) return this.lastCode[c]!;
      this.lastText[c] = text;
      return (this.lastCode[c] = this.dicts[c]!.code(text));
    }
    if (kind === "bool") return v ? 1 : 0;
    return Number(v);
  }

  /**
   * One data chunk out, each column copied in one native call from its typed array (a call
   * per value through the vector objects cost ~1 s at 100,000 experiments). No value is
   * ever NULL in a vector: text NULL is code -1, which no dictionary entry has; other NULLs
   * are a flag column.
   */
  flush(): void {
    const n = this.rows;
    if (n === 0) return;
    const chunk = DuckDBDataChunk.create(this.stageTypes, n);
    let v = 0;
    this.columns.forEach((col, c) => {
      const nums = this.numbers[c]!.subarray(0, n);
      if (isText(col.kind)) {
        fillColumn(chunk, v++, Int32Array.from(nums));
        return;
      }
      fillColumn(chunk, v++, col.kind === "bool" ? Uint8Array.from(nums) : nums);
      fillColumn(chunk, v++, this.isNull[c]!.subarray(0, n));
    });
    this.appender!.appendDataChunk(chunk);
    this.rows = 0;
  }

  close(): void {
    this.flush();
    this.appender?.flushSync();
    this.appender?.closeSync();
  }

  /** Move the staged rows into the table, text decoded through the dictionary. */
  async insert(db: IndexDatabase): Promise<void> {
    const joins: string[] = [];
    const exprs = this.columns.map((col, i) => {
      const c = `s.c${i}`;
      if (col.kind === "text" || col.kind === "textlist") {
        joins.push(`LEFT JOIN ${this.dicts[i]!.table} d${i} ON d${i}.code = ${c}`);
        if (col.kind === "text") return `d${i}.s`;
        return `CASE WHEN d${i}.s = '' THEN []::VARCHAR[] ELSE string_split(d${i}.s, chr(31)) END`;
      }
      const value = col.kind === "bigint" ? `CAST(${c} AS BIGINT)` : col.kind === "timestamp" ? `make_timestamp(CAST(${c} AS BIGINT) * 1000)` : c;
      return `CASE WHEN s.n${i} THEN NULL ELSE ${value} END`;
    });
    const names = this.columns.map((c) => quoteIdent(c.name)).join(", ");
    await db.run(`INSERT INTO ${this.table} (${names}) SELECT ${exprs.join(", ")} FROM ${this.stage} s ${joins.join(" ")}`);
    await db.run(`DROP TABLE ${this.stage}`);
  }
}

/**
 * Rows for many tables, loaded the way DuckDB likes: numbers written straight into data
 * chunks, text as dictionary codes, then one INSERT ... SELECT per table. Through the
 * Appender one value at a time, 100,000 experiments cost ~5 s of calls into DuckDB.
 */
export class Stager implements RowSink {
  /**
   * One dictionary per text column name: 2 million series rows then join ids against the
   * 100,000 ids and keys against a handful of keys, not every distinct string of the load
   * (the series insert took 1.2 s of a 100,000-experiment build against one dictionary).
   */
  private readonly dicts = new Map<string, Dictionary>();
  private readonly tables = new Map<string, StagedTable>();

  constructor(tables: Record<string, StagedColumn[]>) {
    for (const [name, columns] of Object.entries(tables)) {
      const dicts = columns.map((c) => (isText(c.kind) ? this.dictFor(c.name) : undefined)) as Dictionary[];
      this.tables.set(name, new StagedTable(name, columns, dicts));
    }
  }

  private dictFor(column: string): Dictionary {
    let d = this.dicts.get(column);
    if (!d) this.dicts.set(column, (d = new Dictionary(`_stage_dict_${column}`)));
    return d;
  }

  async open(db: IndexDatabase): Promise<void> {
    for (const d of this.dicts.values()) await d.open(db);
    for (const t of this.tables.values()) await t.open(db);
  }

  add(table: string, cells: StagedCell[]): void {
    this.tables.get(table)!.add(cells);
  }

  addColumns(table: string, fixed: StagedCell[], columns: ArrayLike<number | bigint | null | undefined>[]): void {
    this.tables.get(table)!.addColumns(fixed, columns);
  }

  /** Everything staged goes into its table; the staging tables are dropped. */
  async finish(db: IndexDatabase): Promise<void> {
    for (const t of this.tables.values()) t.close();
    for (const d of this.dicts.values()) d.close();
    for (const t of this.tables.values()) await t.insert(db);
    for (const d of this.dicts.values()) await db.run(`DROP TABLE ${d.table}`);
  }
}

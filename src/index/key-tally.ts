/**
 * Per key of newly added rows: how many experiments carry it and the flags its type is
 * read from, as runs.ts's KEY_KINDS counts them in SQL. Kept while rows are added, so an
 * update after a few new runs never scans the big tables to count their keys.
 */
export interface KeyTallyRow {
  kind: "param" | "metric" | "tag" | "env";
  key: string;
  n: number;
  all_num: boolean;
  any_num: boolean;
  all_bool: boolean;
  any_bool: boolean;
}

/** One key of one kind, as a map key (a NUL never appears in a kind). */
export function keyId(kind: string, key: string): string {
  return `${kind}\u0000${key}`;
}

export class KeyTally {
  private readonly byKey = new Map<string, KeyTallyRow>();

  /** A param row of the given value type ("number", "boolean", "null", ...). */
  param(key: string, type: string): void {
    const r = this.row("param", key, true, true);
    r.all_num &&= type === "number" || type === "null";
    r.any_num ||= type === "number";
    r.all_bool &&= type === "boolean" || type === "null";
    r.any_bool ||= type === "boolean";
  }

  metric(key: string): void {
    const r = this.row("metric", key, true, false);
    r.any_num = true;
  }

  tag(tag: string): void {
    this.row("tag", tag, false, false);
  }

  env(key: string): void {
    this.row("env", key, false, false);
  }

  rows(): KeyTallyRow[] {
    return [...this.byKey.values()];
  }

  private row(kind: KeyTallyRow["kind"], key: string, allNum: boolean, allBool: boolean): KeyTallyRow {
    const id = keyId(kind, key);
    let r = this.byKey.get(id);
    if (!r) this.byKey.set(id, (r = { kind, key, n: 0, all_num: allNum, any_num: false, all_bool: allBool, any_bool: false }));
    r.n++;
    return r;
  }
}

/** A key as `keys` holds it. */
export interface KeyCount {
  type: string;
  experiments: number;
}

/** The type a full count gives a key with these flags (KEY_TYPE in runs.ts). */
function tallyType(t: KeyTallyRow): string {
  if (t.all_num && t.any_num) return "number";
  if (t.all_bool && t.any_bool) return "boolean";
  return "text";
}

/**
 * A key's count after new rows, typed as a full count would type it: number + number stays
 * number, anything mixed is text. "recount" when it cannot be told from the counts: a param
 * typed text may have been null everywhere so far, and typed values have now arrived.
 */
export function foldKey(old: KeyCount | undefined, t: KeyTallyRow): KeyCount | "recount" {
  if (!old) return { type: tallyType(t), experiments: t.n };
  if (t.kind === "param" && old.type === "text" && (t.any_num || t.any_bool) && (t.all_num || t.all_bool)) return "recount";
  const mixed = (old.type === "number" && !t.all_num) || (old.type === "boolean" && !t.all_bool);
  return { type: mixed ? "text" : old.type, experiments: old.experiments + t.n };
}

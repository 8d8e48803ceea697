import { NotFoundError } from "../core/errors.js";
import { nearest } from "../core/filter.js";
import type { IndexDatabase } from "./database.js";

/** Experiment columns a filter, sort or column list may name, and their kinds. */
export const ATTRIBUTES: Record<string, { column: string; type: "text" | "number" | "time" | "boolean" }> = {
  id: { column: "id", type: "text" },
  name: { column: "name", type: "text" },
  status: { column: "status", type: "text" },
  created: { column: "created_at", type: "time" },
  created_at: { column: "created_at", type: "time" },
  created_by: { column: "created_by", type: "text" },
  author: { column: "created_by", type: "text" },
  branch: { column: "branch", type: "text" },
  commit: { column: "source_commit", type: "text" },
  source_commit: { column: "source_commit", type: "text" },
  config: { column: "config_hash", type: "text" },
  config_hash: { column: "config_hash", type: "text" },
  message: { column: "message", type: "text" },
  duration: { column: "duration_s", type: "number" },
  duration_s: { column: "duration_s", type: "number" },
  exit_code: { column: "exit_code", type: "number" },
  dirty: { column: "dirty", type: "boolean" },
  // experiment.json's sweep and pruned: --where "sweep.id = '...'" selects a study's trials
  "sweep.id": { column: "sweep_id", type: "text" },
  "sweep.index": { column: "sweep_index", type: "number" },
  "sweep.method": { column: "sweep_method", type: "text" },
  "pruned.rule": { column: "pruned_rule", type: "text" },
  "pruned.at_step": { column: "pruned_at_step", type: "number" },
};

/** The keys the index knows: loaded once per query from the small `keys` table. */
export class Catalog {
  constructor(
    readonly params: Map<string, string>,
    readonly metrics: Set<string>,
    readonly tags: Set<string>,
    readonly experiments: number,
  ) {}

  static async load(db: IndexDatabase): Promise<Catalog> {
    const params = new Map<string, string>();
    const metrics = new Set<string>();
    const tags = new Set<string>();
    for (const r of await db.rows("SELECT kind, key, type FROM keys")) {
      const key = String(r["key"]);
      if (r["kind"] === "param") params.set(key, String(r["type"]));
      else if (r["kind"] === "metric") metrics.add(key);
      else if (r["kind"] === "tag") tags.add(key);
    }
    const experiments = Number(await db.value("SELECT count(*) FROM experiments"));
    return new Catalog(params, metrics, tags, experiments);
  }

  /** Every key as a user types it, for suggestions. */
  allKeys(): string[] {
    return [
      ...Object.keys(ATTRIBUTES),
      ...[...this.params.keys()].map((k) => `params.${k}`),
      ...[...this.metrics].map((k) => `metrics.${k}`),
      ...[...this.tags].map((k) => `tags.${k}`),
    ];
  }

  /**
   * Unknown key: say so and suggest the nearest known ones. An empty index knows no keys
   * and refuses none: a query over no experiments is an empty answer.
   */
  unknown(key: string, what = "key"): NotFoundError {
    const near = nearest(key, this.allKeys());
    const hint = near.length > 0 ? `; did you mean ${near.join(", ")}?` : "; see 'git exp sql \"SELECT * FROM keys\"' for every key";
    return new NotFoundError(`no experiment has the ${what} '${key}'${hint}`);
  }

  /**
   * A column or sort key as the index spells it (`metrics.f1 (macro)`, as table headers show
   * it) in the filter language's syntax: a known key is back-quoted, anything else is left
   * for the parser.
   */
  keySyntax(c: string): string {
    const m = /^(params|metrics)\.(.+)$/.exec(c);
    if (!m || m[2]!.includes("`")) return c;
    const known = m[1] === "params" ? this.params.has(m[2]!) : this.metrics.has(m[2]!);
    return known ? `${m[1]}.\`${m[2]}\`` : c;
  }

  /**
   * A bare metric or param name (`val.acc`, as `top` takes it) as the key it names: the
   * metric, or the param, whichever the index knows. A name that is both is the param, and
   * the note says so and how to name the metric. Qualified keys, attributes and names the
   * index does not know come back as they are (unknown ones are refused where they are read).
   */
  qualify(name: string, option: string): { key: string; note?: string } {
    if (/^(params|metrics|tags)\./.test(name) || name in ATTRIBUTES || name.includes("`")) return { key: name };
    const param = this.params.has(name);
    const metric = this.metrics.has(name);
    if (param && metric) {
      return { key: `params.${name}`, note: `${option} ${name}: both a param and a metric; using params.${name} (say metrics.${name} for the metric)` };
    }
    if (param) return { key: `params.${name}` };
    if (metric) return { key: `metrics.${name}` };
    // A near miss of a bare name (val.acc2): suggest the keys it was probably meant as.
    const near = this.strict ? nearest(name, [...this.params.keys(), ...this.metrics]) : [];
    if (near.length > 0) {
      const keys = near.flatMap((n) => [...(this.params.has(n) ? [`params.${n}`] : []), ...(this.metrics.has(n) ? [`metrics.${n}`] : [])]);
      throw new NotFoundError(`${option} ${name}: no experiment has a param or metric of that name; did you mean ${keys.join(", ")}?`);
    }
    return { key: name };
  }

  get strict(): boolean {
    return this.experiments > 0;
  }

  requireMetric(metric: string): void {
    if (this.strict && !this.metrics.has(metric)) throw this.unknown(metric.startsWith("metrics.") ? metric : `metrics.${metric}`, "metric");
  }
}

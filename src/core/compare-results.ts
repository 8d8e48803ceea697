/** What `compare` answers: experiments side by side. */
import type { JsonValue } from "./json.js";
import type { Better } from "./choices.js";

export interface CompareRow {
  kind: "param" | "metric";
  key: string;
  /** One value per experiment, in column order; undefined where the experiment lacks the key. */
  values: (JsonValue | undefined)[];
  differs: boolean;
  /** Metrics only: which way is better, and the columns holding the best value. */
  direction?: Better;
  best: number[];
}

export interface CompareColumn {
  id: string;
  name: string | null;
  created_at: string;
}

export interface Comparison {
  columns: CompareColumn[];
  rows: CompareRow[];
  /** Rows left out because every experiment agrees (shown with `all`). */
  hidden: number;
}

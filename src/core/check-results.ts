/** What `check` answers: each rule against the base, and the verdict. */
import type { Rule } from "./rules.js";

export interface RuleResult {
  rule: Rule;
  /** `val.acc >= 0.95`, `val.acc drop <= 0.005`: the rule in words. */
  label: string;
  base: number | null;
  head: number | null;
  delta: number | null;
  limit: number | null;
  pass: boolean;
  /** How the base value was taken: the repeats of the head's config, or the base's best. */
  baseKind: "same-config mean" | "best" | "none";
  nBase: number;
  /** A rule relative to the base, with no base value: it held nothing (pass stays true). */
  skipped?: boolean;
  nHead: number;
  pValue?: number;
  note?: string;
}

export interface CheckReport {
  pass: boolean;
  base: { ref: string; commit: string; experimentCommit: string | null; experiments: string[] };
  head: { ref: string; commit: string; experiments: string[] };
  results: RuleResult[];
  notes: string[];
  /** Per metric: its best value on each commit along the base branch that had experiments. */
  trends: Record<string, { commit: string; value: number }[]>;
  /** Why the check could not compare at all (exit 3), when it could not. */
  missing?: string;
}

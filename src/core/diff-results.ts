/** What `diff` answers: how two experiments differ, section by section. */
import type { JsonValue } from "./json.js";

export type ChangeKind = "added" | "removed" | "changed";

/** One key path whose value differs between A and B. */
export interface ValueChange {
  key: string;
  kind: ChangeKind;
  a?: JsonValue;
  b?: JsonValue;
}

export interface PackageChange {
  name: string;
  kind: "added" | "removed" | "upgraded" | "downgraded" | "changed";
  a?: string;
  b?: string;
}

export interface EnvDiff {
  /** OS, CPU, memory, GPUs, runtimes, variables: by key path. */
  changes: ValueChange[];
  packages: PackageChange[];
  /**
   * What only one side recorded at all (its whole environment, or its packages): unknown is
   * not different, so it is said once instead of listed as hundreds of additions.
   */
  onlyOneSide: { what: "environment" | "packages"; side: "a" | "b" }[];
}

export type PatchState = "none" | "same" | "differ" | "only-a" | "only-b";

export interface CodeDiff {
  a: string | null;
  b: string | null;
  sameCommit: boolean;
  /** Commits in A..B and B..A; null when either commit is missing or unknown. */
  ahead: number | null;
  behind: number | null;
  /** `git diff --name-status A B`: files changed between the source commits. */
  files: { status: string; path: string }[];
  /** Source commits that are not in this repository (fetch them to see more). */
  missing: string[];
  patch: PatchState;
  /** Whether anything about the code differs. */
  differs: boolean;
}

export interface MetricDelta {
  metric: string;
  /** undefined: the side does not have this metric. */
  a: number | null | undefined;
  b: number | null | undefined;
  /** b - a, and (b - a) / |a|; null where not defined. */
  abs: number | null;
  rel: number | null;
  /** Outside the tolerance, or present on one side only. */
  beyond: boolean;
}

export interface InputChange {
  path: string;
  kind: "added" | "removed" | "changed";
  a?: JsonValue;
  b?: JsonValue;
}

export interface Side {
  id: string;
  name: string | null;
  created_at: string;
}

export interface ExperimentDiff {
  a: Side;
  b: Side;
  /** A and B are the same experiment. */
  self: boolean;
  tolerance: { atol: number; rtol: number };
  config: ValueChange[];
  inputs: InputChange[];
  code: CodeDiff;
  environment: EnvDiff;
  results: MetricDelta[];
  /** Metadata only (name, time, tags, status...): never makes `differs` true. */
  metadata: ValueChange[];
  /** Which sections differ; `differs` is true when any does. */
  sections: { config: boolean; inputs: boolean; code: boolean; environment: boolean; results: boolean };
  differs: boolean;
}

import type { JsonValue } from "./json.js";

/** What analyses need to know of one experiment, in its current (annotated) state. */
export interface Entry {
  id: string;
  name: string | null;
  status: string;
  createdAt: string;
  sourceCommit: string | null;
  branch: string | null;
  configHash: string;
  /** Shared by repeats: configs equal but for the repeat keys (index/repeat-groups.ts). */
  groupKey: string;
  /** source.dirty: the run's code had uncommitted changes. */
  dirty: boolean;
  /** The experiment a `repro` rerun reran, else null. */
  reproduces: string | null;
  tags: string[];
  params: Record<string, JsonValue>;
  metrics: Record<string, number | null>;
}

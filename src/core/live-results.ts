/** Runs in progress as `ls --running` and the dashboard show them. */
import type { Series } from "./experiment.js";

/**
 * A run in progress leaves a small record under `<git dir>/exp/live/`, so `ls --running`
 * and the dashboard can show it (and its metrics file growing) before it is recorded.
 */
export interface LiveRun {
  /** Unique per run: `<pid>-<start ms>-<random>`. */
  key: string;
  /** The git-exp process running the command: the record is stale once it is gone. */
  pid: number;
  started_at: string;
  command: string[];
  name?: string;
  metrics_file: string;
  cwd: string;
  /** Set when the run has ended and been recorded (or failed to be). */
  ended_at?: string;
  /** The experiment the run became. */
  experiment?: string;
  status?: string;
  /** A trial a scheduler runs (git exp worker): the machine, the job as the scheduler shows it, its worker id. */
  host?: string;
  job?: string;
  worker?: string;
  executor?: string;
}

export interface LiveProgress {
  step: number | undefined;
  /** The latest value of each metric (flattened keys), NaN and infinities included; null is a JSON null. */
  latest: Record<string, number | null>;
  series: Record<string, Series>;
  lines: number;
}

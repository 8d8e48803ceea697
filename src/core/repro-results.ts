/** What `repro` answers: whether a rerun reproduced its original. */
import type { ExperimentDiff } from "./diff-results.js";

export interface ReproVerdict {
  original: string;
  rerun: string;
  reproduced: boolean;
  /** Why it is not a reproduction: results beyond tolerance, a failed run, other inputs... */
  reasons: string[];
  /** What differs between the runs that could explain it; empty when reproduced. */
  explanations: string[];
  diff: ExperimentDiff;
}

import { diffSpecs, type Tolerance } from "../analysis/diff.js";
import type { ExperimentDiff } from "../core/diff-results.js";
import type { Workspace } from "./workspace.js";

export type { ExperimentDiff, Tolerance };

export interface DiffRequest extends Tolerance {
  /** Each an id prefix (4+ hex), a unique name or a full ref. */
  a: string;
  b: string;
}

/** `git exp diff`: what changed between two experiments (config, inputs, code, environment, results). */
export async function diff(ws: Workspace, req: DiffRequest): Promise<ExperimentDiff> {
  return diffSpecs(await ws.store(), req.a, req.b, { atol: req.atol, rtol: req.rtol });
}

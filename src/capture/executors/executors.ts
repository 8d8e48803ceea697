import { UsageError } from "../../core/errors.js";
import type { Executor } from "./executor.js";
import { slurm } from "./slurm.js";

/** Every scheduler `git exp run --on` can hand a study to; another one is one more entry. */
const EXECUTORS: Record<string, Executor> = { slurm };

export function executorNamed(name: string): Executor {
  const e = Object.hasOwn(EXECUTORS, name) ? EXECUTORS[name] : undefined;
  if (!e) throw new UsageError(`--on ${name}: git exp runs on ${Object.keys(EXECUTORS).join(", ")} (or locally without --on)`);
  return e;
}

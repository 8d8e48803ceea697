import type { AnnotationEvent } from "../core/annotations.js";
import type { Experiment } from "../core/experiment.js";
import type { CommitHistory } from "./history.js";
import type { RefListing } from "./refs.js";

/** Each experiment read, or why it could not be, in the order asked. */
export type ReadCallback = (id: string, result: Experiment | Error) => void;

/**
 * What analysis reads of a repository: the experiments, their annotations and the code's
 * history. ExperimentStore answers from git; MemoryStore (memory-store.ts) from memory, so
 * analyses are tested in milliseconds without a repository.
 */
export interface ExperimentSource {
  readonly history: CommitHistory;
  list(): Promise<RefListing>;
  /** One experiment by full id; NotFoundError when there is none. */
  read(id: string): Promise<Experiment>;
  /** Failures are reported per id, never thrown. */
  readMany(ids: string[], onEach: ReadCallback): Promise<void>;
  /** Every experiment's annotation events, by id. */
  annotations(): Promise<Map<string, AnnotationEvent[]>>;
  /** The config hash of an experiment read back: the blob id of its canonical config.json. */
  configHashOf(exp: Experiment): string;
}

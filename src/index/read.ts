import { InvalidInputError } from "../core/errors.js";
import { experimentFromFiles, validateReadable, type Experiment } from "../core/experiment.js";
import { experimentLimitProblem } from "../core/limits.js";
import { readTreesInBulk } from "../store/bulk-read.js";
import type { Repository } from "../store/repository.js";
import { shortId } from "../core/ids.js";

export interface IndexedRead {
  experiment: Experiment;
  /** The blob id of config.json, straight from the tree. */
  configHash: string;
  /** The files read, by path, as stored. */
  files: Map<string, Uint8Array>;
}

export type IndexReadCallback = (id: string, result: IndexedRead | Error) => void;

/** Only these files feed the index: artifacts and patches are never read. */
const WANTED = new Set(["experiment.json", "config.json", "results.json", "env.json", "inputs.json", "outputs.json"]);

function indexed(path: string): boolean {
  // System metrics are folders of series (series/system/gpu0/util_pct.json); other folders are not series.
  return WANTED.has(path) || (path.startsWith("series/") && (path.indexOf("/", 7) < 0 || path.startsWith("series/system/")));
}

/**
 * Read what the index needs of many experiments in one streaming pass over git, each
 * checked against the size limits and validated against its schema. Failures are reported
 * per experiment, never thrown.
 */
export async function readForIndex(repo: Repository, ids: string[], onEach: IndexReadCallback): Promise<void> {
  await readTreesInBulk(
    repo,
    ids,
    (id, r) => {
      if (r instanceof Error) return onEach(id, r);
      // Checked before parsing: one experiment past the limits must not make the index slow.
      const tooLarge = experimentLimitProblem(r.files, r.count);
      if (tooLarge) return onEach(id, new InvalidInputError(`past the limits: ${tooLarge}`));
      try {
        const experiment = validateReadable(experimentFromFiles(r.files, shortId(id)));
        onEach(id, { experiment, configHash: r.blobIds.get("config.json") ?? "", files: r.files });
      } catch (e) {
        onEach(id, e instanceof Error ? e : new Error(String(e)));
      }
    },
    { want: indexed },
  );
}

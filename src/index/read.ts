import { experimentFromFiles, validateReadable, type Experiment } from "../core/experiment.js";
import { NotFoundError } from "../core/errors.js";
import type { ObjectReader } from "../store/object-reader.js";
import { parseTree, type HashAlgo } from "../store/objects.js";

export interface IndexedRead {
  experiment: Experiment;
  /** The blob id of config.json, straight from the tree. */
  configHash: string;
}

export type IndexReadCallback = (id: string, result: IndexedRead | Error) => void;

/** Only these files feed the index: artifacts and patches are never read. */
const WANTED = new Set(["experiment.json", "config.json", "results.json", "env.json", "inputs.json", "outputs.json"]);

/**
 * Read what the index needs of many experiments through one pipelined `git cat-file
 * --batch`, at most `window` experiments in flight, each validated against its schema.
 * Failures are reported per experiment, never thrown.
 */
export async function readForIndex(
  reader: ObjectReader,
  algo: HashAlgo,
  ids: string[],
  onEach: IndexReadCallback,
  window = 512,
): Promise<void> {
  let next = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (next < ids.length && next - finished < window) {
        const id = ids[next++]!;
        readOne(reader, algo, id, (r) => {
          finished++;
          onEach(id, r);
          if (finished === ids.length) resolve();
          else pump();
        });
      }
    };
    if (ids.length === 0) resolve();
    else pump();
  });
}

function readOne(reader: ObjectReader, algo: HashAlgo, id: string, done: (r: IndexedRead | Error) => void): void {
  const files = new Map<string, Uint8Array>();
  let configHash = "";
  let pending = 1;
  let failed = false;
  const fail = (e: Error): void => {
    if (!failed) done(e);
    failed = true;
  };
  const settle = (): void => {
    if (--pending > 0 || failed) return;
    try {
      const experiment = validateReadable(experimentFromFiles(files, id.slice(0, 12)));
      done({ experiment, configHash });
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const blob = (path: string, blobId: string): void => {
    pending++;
    reader.request(blobId, (o) => {
      if (!o) return fail(new NotFoundError(`experiment ${id.slice(0, 12)}: ${path} is missing from the object store`));
      files.set(path, o.data);
      settle();
    });
  };
  reader.request(`${id}^{tree}`, (tree) => {
    if (!tree || tree.type !== "tree") return fail(new NotFoundError(`experiment ${id.slice(0, 12)}: its commit or tree is missing`));
    for (const e of parseTree(tree.data, algo)) {
      if (e.name === "config.json") configHash = e.id;
      if (WANTED.has(e.name) && e.mode !== "40000") blob(e.name, e.id);
      else if (e.name === "series" && e.mode === "40000") {
        pending++;
        reader.request(e.id, (sub) => {
          if (!sub || sub.type !== "tree") return fail(new NotFoundError(`experiment ${id.slice(0, 12)}: series/ is missing`));
          for (const s of parseTree(sub.data, algo)) if (s.mode !== "40000") blob(`series/${s.name}`, s.id);
          settle();
        });
      }
    }
    settle();
  });
}

import { relative, sep } from "node:path";
import { treePath, type Person, type Source } from "../core/experiment.js";
import { gitIdentity } from "../store/identity.js";
import type { Repository } from "../store/repository.js";
import { uncommittedPatch, workTreeSource } from "../store/work-tree.js";

/** Who records: the same identity `git commit` would use. */
export function captureIdentity(repo: Repository): Promise<Person> {
  return gitIdentity(repo);
}

/**
 * The code state a run starts from: HEAD commit (null before the first commit or in a bare
 * repository), branch (null when detached), dirty tracked files.
 */
export function captureSource(repo: Repository): Promise<Source> {
  return workTreeSource(repo);
}

/** The uncommitted changes to tracked files, as `git apply` takes them, byte for byte; empty when clean. */
export function capturePatch(repo: Repository): Promise<Uint8Array> {
  return uncommittedPatch(repo);
}

/** The source, with the folder the command ran in when that is below the top of the tree. */
export function sourceWithPath(source: Source, workTree: string | null, cwd: string): Source {
  if (workTree === null) return source;
  const path = relative(workTree, cwd).split(sep).join("/");
  return treePath(path) ? { ...source, path } : source;
}

/** The source, with the file `run --config` read when it lies in the work tree: `git exp apply` writes the config back there. */
export function sourceWithConfig(source: Source, workTree: string | null, configFile: string | undefined): Source {
  if (workTree === null || configFile === undefined) return source;
  const path = relative(workTree, configFile).split(sep).join("/");
  return treePath(path) ? { ...source, config: path } : source;
}

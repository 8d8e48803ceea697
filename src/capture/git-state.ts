import { relative, sep } from "node:path";
import { treePath, type Person, type Source } from "../core/experiment.js";
import { runGit } from "../store/git.js";
import { gitIdentity } from "../store/identity.js";
import type { Repository } from "../store/repository.js";

/** Who records: the same identity `git commit` would use. */
export function captureIdentity(repo: Repository): Promise<Person> {
  return gitIdentity(repo);
}

/**
 * The code state a run starts from, in one `git status` call: HEAD commit (null before the
 * first commit or in a bare repository), branch (null when detached), dirty tracked files.
 */
export async function captureSource(repo: Repository): Promise<Source> {
  if (repo.workTree === null) return { commit: null, branch: null, dirty: false };
  const r = await runGit(["status", "--porcelain=v2", "--branch", "--untracked-files=no", "--ignore-submodules=dirty"], {
    cwd: repo.workTree,
  });
  if (r.code !== 0) return { commit: null, branch: null, dirty: false };
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of r.stdout.toString("utf8").split("\n")) {
    if (line.startsWith("# branch.oid ")) {
      const oid = line.slice("# branch.oid ".length);
      commit = /^[0-9a-f]+$/.test(oid) ? oid : null;
    } else if (line.startsWith("# branch.head ")) {
      const head = line.slice("# branch.head ".length);
      branch = head === "(detached)" ? null : head;
    } else if (line && !line.startsWith("#")) dirty = true;
  }
  return { commit, branch, dirty };
}

/** The uncommitted changes to tracked files, as `git apply` takes them; "" when clean. */
export async function capturePatch(repo: Repository): Promise<string> {
  if (repo.workTree === null) return "";
  const head = await runGit(["rev-parse", "-q", "--verify", "HEAD"], { cwd: repo.workTree });
  if (head.code !== 0) return "";
  const r = await runGit(["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff", "--full-index"], {
    cwd: repo.workTree,
  });
  return r.code === 0 ? r.stdout.toString("utf8") : "";
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

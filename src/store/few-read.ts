import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { ObjectReader } from "./object-reader.js";
import { commitTreeId, parseTree, TREE_MODE, type HashAlgo } from "./objects.js";
import type { TreeFiles } from "./bulk-read.js";
import { commonGitDir } from "./repository.js";

/** Modes git prints as they are stored; anything else (a submodule, an old odd mode) goes to git. */
const FILE_MODES = new Set(["100644", "100755", "120000"]);

interface StoredObject {
  type: string;
  body: Buffer;
}

/**
 * Objects by id: loose ones read from `<objects>/ab/cdef...` (git's stable on-disk form, a
 * zlib stream of "<type> <size>\0<body>"), the rest asked of one `git cat-file --batch`
 * started only when needed.
 */
class ObjectSource {
  private reader: ObjectReader | null = null;
  private readonly objectsDir: string | null;

  constructor(
    private readonly repo: { cwd: string; gitDir?: string; env?: NodeJS.ProcessEnv },
  ) {
    const own = repo.gitDir && !process.env["GIT_OBJECT_DIRECTORY"];
    this.objectsDir = own ? join(commonGitDir(repo.gitDir!), "objects") : null;
  }

  async get(id: string): Promise<StoredObject | null> {
    const loose = this.loose(id);
    if (loose) return loose;
    this.reader ??= new ObjectReader(this.repo.cwd, [], this.repo.env);
    const o = await this.reader.read(id);
    return o ? { type: o.type, body: o.data } : null;
  }

  private loose(id: string): StoredObject | null {
    if (!this.objectsDir) return null;
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(join(this.objectsDir, id.slice(0, 2), id.slice(2))));
    } catch {
      return null;
    }
    const nul = raw.indexOf(0);
    const [type, size] = raw.toString("latin1", 0, nul).split(" ");
    const body = raw.subarray(nul + 1);
    return type && Number(size) === body.length ? { type, body } : null;
  }

  close(): Promise<void> {
    return this.reader?.close() ?? Promise.resolve();
  }
}

/**
 * The files of a few experiment commits, as the bulk reader gives them (every file of every
 * folder, filtered by `want`), reading loose objects directly and asking one git process
 * for the packed rest: a new experiment is written loose, and the bulk pipeline's three git
 * processes cost ~25 ms for one. Null as soon as anything is not plainly there, for the
 * bulk reader to read and explain.
 */
export async function readFewTrees(
  repo: { cwd: string; algo: HashAlgo; gitDir?: string; env?: NodeJS.ProcessEnv },
  ids: string[],
  want: (path: string) => boolean,
): Promise<Map<string, TreeFiles> | null> {
  const source = new ObjectSource(repo);
  try {
    const out = new Map<string, TreeFiles>();
    for (const id of ids) {
      const commit = await source.get(id);
      const tree = commit?.type === "commit" ? commitTreeId(commit.body) : undefined;
      if (!tree) return null;
      const files: TreeFiles = { files: new Map(), blobIds: new Map(), modes: new Map(), count: 0 };
      if (!(await readFolder(source, repo.algo, tree, "", want, files))) return null;
      out.set(id, files);
    }
    return out;
  } finally {
    await source.close();
  }
}

async function readFolder(source: ObjectSource, algo: HashAlgo, treeId: string, prefix: string, want: (path: string) => boolean, into: TreeFiles): Promise<boolean> {
  const tree = await source.get(treeId);
  if (tree?.type !== "tree") return false;
  let entries: ReturnType<typeof parseTree>;
  try {
    entries = parseTree(tree.body, algo);
  } catch {
    return false; // damaged: git's reader says so, per experiment
  }
  for (const e of entries) {
    const path = prefix + e.name;
    if (e.mode === TREE_MODE) {
      if (!(await readFolder(source, algo, e.id, `${path}/`, want, into))) return false;
      continue;
    }
    into.count++;
    if (!want(path)) continue;
    if (!FILE_MODES.has(e.mode)) return false;
    const blob = await source.get(e.id);
    if (blob?.type !== "blob") return false;
    into.files.set(path, blob.body);
    into.blobIds.set(path, e.id);
    into.modes.set(path, e.mode);
  }
  return true;
}

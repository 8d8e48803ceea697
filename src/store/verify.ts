import { isGitExpError } from "../core/errors.js";
import { commitMessage, experimentFiles, experimentFromFiles, validateReadable } from "../core/experiment.js";
import { commitSeconds } from "../core/time.js";
import { ObjectReader, type RawObject } from "./object-reader.js";
import { buildTree, commitBody, makeObject, parseTree, type HashAlgo } from "./objects.js";

/**
 * The checks an experiment from elsewhere must pass before it gets a ref here: its id is
 * its commit, every file is canonical and valid against its schema, and the commit is
 * exactly the one DESIGN.md derives from the content. Anything else is a forgery or a
 * broken writer, and is reported instead of stored.
 */
export async function verifyExperiments(cwd: string, algo: HashAlgo, ids: string[]): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  const reader = new ObjectReader(cwd);
  try {
    const window = 256;
    for (let i = 0; i < ids.length; i += window) {
      const batch = ids.slice(i, i + window);
      const loaded = await Promise.all(batch.map((id) => loadCommit(reader, algo, id)));
      batch.forEach((id, k) => {
        const problem = checkLoaded(id, loaded[k]!, algo);
        if (problem) problems.set(id, problem);
      });
    }
  } finally {
    await reader.close();
  }
  return problems;
}

interface Loaded {
  commit: RawObject | null;
  tree?: string;
  files?: Map<string, Uint8Array>;
  problem?: string;
}

async function loadCommit(reader: ObjectReader, algo: HashAlgo, id: string): Promise<Loaded> {
  const commit = await reader.read(id);
  if (!commit || commit.type !== "commit") return { commit, problem: `${id} is not a commit` };
  const tree = /^tree ([0-9a-f]+)$/m.exec(commit.data.toString("utf8"))?.[1];
  if (!tree) return { commit, problem: "the commit has no tree" };
  const files = new Map<string, Uint8Array>();
  const problem = await readTree(reader, algo, tree, "", files);
  return { commit, tree, files, problem };
}

async function readTree(reader: ObjectReader, algo: HashAlgo, treeId: string, prefix: string, files: Map<string, Uint8Array>): Promise<string | undefined> {
  const tree = await reader.read(treeId);
  if (!tree || tree.type !== "tree") return `tree ${prefix || "/"} is missing`;
  const entries = parseTree(tree.data, algo);
  const reads = entries.map(async (e): Promise<string | undefined> => {
    const path = prefix + e.name;
    if (e.mode === "40000") return readTree(reader, algo, e.id, `${path}/`, files);
    if (e.mode !== "100644") return `${path} has mode ${e.mode}; experiments hold plain files only`;
    const blob = await reader.read(e.id);
    if (!blob || blob.type !== "blob") return `${path} is missing`;
    files.set(path, blob.data);
    return undefined;
  });
  return (await Promise.all(reads)).find((p) => p !== undefined);
}

function checkLoaded(id: string, loaded: Loaded, algo: HashAlgo): string | undefined {
  if (loaded.problem) return loaded.problem;
  const files = loaded.files!;
  try {
    const exp = experimentFromFiles(files, id.slice(0, 12));
    // As the index reads them: another writer's RFC 3339 time in another form is still valid.
    validateReadable(exp);
    const canonical = experimentFiles(exp);
    for (const f of canonical) {
      const stored = files.get(f.path);
      if (!stored || Buffer.compare(Buffer.from(stored), Buffer.from(f.data)) !== 0) {
        return `${f.path} is not canonical JSON (re-serialising it gives other bytes)`;
      }
    }
    if (canonical.length !== files.size) return "the tree holds files that are not part of the experiment";
    const objects = buildTree(canonical, algo);
    if (objects[objects.length - 1]!.id !== loaded.tree) return "the tree is not the canonical tree of its files";
    const text = loaded.commit!.data.toString("utf8");
    const parents = [...text.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1]!);
    const source = exp.meta.source?.commit ?? null;
    if (parents.length > 1 || (parents.length === 1 && parents[0] !== source)) {
      return "the commit's parent is not the experiment's source commit";
    }
    const configHash = makeObject("blob", canonical.find((f) => f.path === "config.json")!.data, algo).id;
    const expected = makeObject(
      "commit",
      commitBody({
        tree: loaded.tree!,
        parents,
        name: exp.meta.created_by.name,
        email: exp.meta.created_by.email,
        seconds: commitSeconds(exp.meta.created_at),
        message: commitMessage(exp.meta, configHash),
      }),
      algo,
    );
    if (expected.id !== id) return "the commit is not the one its content determines (author, date or message differ)";
    return undefined;
  } catch (e) {
    // Whatever a hostile tree makes the readers throw (bad UTF-8 included) is a reason, not a crash.
    return isGitExpError(e) || e instanceof Error ? e.message : String(e);
  }
}

import { isGitExpError } from "../core/errors.js";
import { commitMessage, experimentFiles, experimentFromFiles, validateReadable } from "../core/experiment.js";
import { experimentLimitProblem } from "../core/limits.js";
import { commitSeconds } from "../core/time.js";
import { openBulkTreeReader, type TreeFiles } from "./bulk-read.js";
import { ObjectReader, type RawObject } from "./object-reader.js";
import type { Repository } from "./repository.js";
import { buildTree, commitBody, makeObject, type HashAlgo } from "./objects.js";
import { shortId } from "../core/ids.js";

/**
 * The checks an experiment from elsewhere must pass before it gets a ref here: its id is
 * its commit, it is within the size limits (core/limits.ts), every file is a plain file, canonical and valid against its schema, the tree
 * is exactly the canonical tree of those files, and the commit is exactly the one DESIGN.md
 * derives from the content. Anything else is a forgery or a broken writer, and is reported
 * instead of stored. Returns the reason for each id that failed.
 */
export async function verifyExperiments(repo: Pick<Repository, "cwd" | "algo" | "env">, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const verifier = openVerifier(repo);
  verifier.add(ids);
  return verifier.finish();
}

/** verifyExperiments for ids that arrive over time (each id added once). */
export interface Verifier {
  add(ids: string[]): void;
  /** No more ids: the reason for each one added that failed. */
  finish(): Promise<Map<string, string>>;
}

/**
 * Commits come through one pipelined reader and files through the streaming bulk reader
 * (three git processes), so 10,000 experiments cost no round trip each. Whichever of an
 * experiment's commit and files arrives first waits for the other.
 */
export function openVerifier(repo: Pick<Repository, "cwd" | "algo" | "env">): Verifier {
  const { cwd, algo } = repo;
  const problems = new Map<string, string>();
  const commits = new Map<string, RawObject | null>();
  const reads = new Map<string, TreeFiles | Error>();
  const check = (id: string, commit: RawObject | null, read: TreeFiles | Error): void => {
    const problem = checkRead(id, commit, read, algo);
    if (problem) problems.set(id, problem);
  };
  const commitReader = new ObjectReader(cwd, ["--buffer"], repo.env);
  const treeReader = openBulkTreeReader(repo, (id, read) => {
    if (!commits.has(id)) reads.set(id, read);
    else {
      check(id, commits.get(id) ?? null, read);
      commits.delete(id);
    }
  });
  const onCommit = (id: string, commit: RawObject | null): void => {
    const read = reads.get(id);
    if (read === undefined) commits.set(id, commit);
    else {
      reads.delete(id);
      check(id, commit, read);
    }
  };
  return {
    add(ids) {
      for (const id of ids) commitReader.request(id, (o) => onCommit(id, o));
      treeReader.add(ids);
    },
    async finish() {
      await Promise.all([commitReader.close(), treeReader.close()]);
      return problems;
    },
  };
}

/** The commit's tree id, or why there is none. */
function commitTree(id: string, commit: RawObject | null): string | { problem: string } {
  if (!commit || commit.type !== "commit") return { problem: `${id} is not a commit` };
  const tree = /^tree ([0-9a-f]+)$/m.exec(commit.data.toString("utf8"))?.[1];
  return tree ?? { problem: "the commit has no tree" };
}

function checkRead(id: string, commit: RawObject | null, read: TreeFiles | Error, algo: HashAlgo): string | undefined {
  const tree = commitTree(id, commit);
  if (typeof tree !== "string") return tree.problem;
  if (read instanceof Error) return read.message;
  return checkExperiment(id, commit!, tree, read, algo);
}

function checkExperiment(id: string, commit: RawObject, tree: string, read: TreeFiles, algo: HashAlgo): string | undefined {
  for (const [path, mode] of read.modes) {
    if (mode !== "100644") return `${path} has mode ${mode}; experiments hold plain files only`;
  }
  const files = read.files;
  const tooLarge = experimentLimitProblem(files, read.count);
  if (tooLarge) return `past the limits: ${tooLarge}`;
  try {
    const exp = experimentFromFiles(files, shortId(id));
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
    // The tree's id covers what the file listing cannot show: empty folders, modes, order.
    const objects = buildTree(canonical, algo);
    if (objects[objects.length - 1]!.id !== tree) return "the tree is not the canonical tree of its files";
    const text = commit.data.toString("utf8");
    const parents = [...text.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1]!);
    const source = exp.meta.source?.commit ?? null;
    if (parents.length > 1 || (parents.length === 1 && parents[0] !== source)) {
      return "the commit's parent is not the experiment's source commit";
    }
    const configHash = makeObject("blob", canonical.find((f) => f.path === "config.json")!.data, algo).id;
    const expected = makeObject(
      "commit",
      commitBody({
        tree,
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

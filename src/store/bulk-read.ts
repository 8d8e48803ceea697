import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { EnvironmentError, NotFoundError } from "../core/errors.js";
import { ObjectReader } from "./object-reader.js";
import type { HashAlgo } from "./objects.js";
import { readFewTrees } from "./few-read.js";
import type { Repository } from "./repository.js";
import { shortId } from "../core/ids.js";

/** One experiment's tree as read: file bytes, blob ids and modes, by slash path. */
export interface TreeFiles {
  files: Map<string, Uint8Array>;
  blobIds: Map<string, string>;
  /** Git's mode of each file: "100644", or "100755" / "120000" for an executable or a symlink. */
  modes: Map<string, string>;
  /** Files the tree holds, in all folders, read or not (see BulkReadOptions.want). */
  count: number;
}

export type TreeFilesCallback = (id: string, result: TreeFiles | Error) => void;

export interface BulkReadOptions {
  /** Which files to read (by slash path); others are neither listed nor read. */
  want?: (path: string) => boolean;
}

const EMPTY_TREE: Record<HashAlgo, string> = {
  sha1: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  sha256: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
};

const GITLINK = "160000";

/** Up to this many experiments, one walk of their trees beats starting the pipeline. */
const FEW = 16;

/** Listings read ahead of the files: enough to keep git busy, few enough to stay small. */
const AHEAD_HIGH = 2048;
const AHEAD_LOW = 512;

interface Pending {
  id: string;
  tree: string | null;
  error: Error | null;
  /** True once diff-tree has listed every file of the tree. */
  listed: boolean;
  expected: number;
  received: number;
  files: Map<string, Uint8Array>;
  blobIds: Map<string, string>;
  modes: Map<string, string>;
  count: number;
}

/**
 * Read the files of many experiment commits with three git processes in a pipeline instead
 * of three round trips per experiment: `cat-file --batch-check` peels every commit to its
 * tree, one `diff-tree --stdin -r -z` against the empty tree lists every file of every tree,
 * and one buffered `cat-file --batch` streams the blobs in that order. Results arrive in the
 * order of `ids`, failures per id; at most one experiment's files are held at a time.
 */
export async function readTreesInBulk(
  repo: Pick<Repository, "cwd" | "algo"> & { gitDir?: string; env?: NodeJS.ProcessEnv },
  ids: string[],
  onEach: TreeFilesCallback,
  options: BulkReadOptions = {},
): Promise<void> {
  if (ids.length === 0) return;
  const few = ids.length <= FEW ? await readFewTrees(repo, ids, options.want ?? (() => true)) : null;
  if (few) {
    for (const id of ids) onEach(id, few.get(id)!);
    return;
  }
  const reader = openBulkTreeReader(repo, onEach, options);
  reader.add(ids);
  await reader.close();
}

/** readTreesInBulk for ids that arrive over time: results in the order added. */
export interface BulkTreeReader {
  add(ids: string[]): void;
  /** No more ids: resolves once every one added has been reported. */
  close(): Promise<void>;
}

export function openBulkTreeReader(
  repo: Pick<Repository, "cwd" | "algo"> & { env?: NodeJS.ProcessEnv },
  onEach: TreeFilesCallback,
  options: BulkReadOptions = {},
): BulkTreeReader {
  const want = options.want ?? (() => true);
  const empty = EMPTY_TREE[repo.algo];
  const records: Pending[] = [];
  const env = repo.env ?? process.env;
  const peel = gitProcess(repo.cwd, env, ["cat-file", "--batch-check", "--buffer"]);
  const list = gitProcess(repo.cwd, env, ["diff-tree", "--stdin", "-r", "-z"]);
  const blobs = new ObjectReader(repo.cwd, ["--buffer"], env);

  let emitted = 0;
  let listing = 0; // next record diff-tree will list
  let current: Pending | null = null; // the record whose files diff-tree is listing now
  let paused = false;
  const emit = (): void => {
    for (; emitted < records.length; emitted++) {
      const r = records[emitted]!;
      if (!r.error && !(r.listed && r.received === r.expected)) break;
      records[emitted] = undefined as unknown as Pending; // free its files
      onEach(r.id, r.error ?? { files: r.files, blobIds: r.blobIds, modes: r.modes, count: r.count });
    }
    if (paused && listing - emitted <= AHEAD_LOW) {
      paused = false;
      list.child.stdout.resume();
    }
  };
  const finishListing = (): void => {
    if (current) current.listed = true;
    current = null;
  };

  // Two answers per experiment: what its id names (a ref to a tree or a tag peels to a tree
  // just as well, and is no experiment), then its tree.
  let answers = 0;
  peel.onLines("\n", (line) => {
    const r = records[answers >> 1];
    const first = (answers++ & 1) === 0;
    if (!r) return;
    if (first) {
      const type = / (\w+) \d+$/.exec(line)?.[1];
      if (type && type !== "commit") r.error = new NotFoundError(`experiment ${shortId(r.id)}: it names a ${type}, not a commit`);
      return;
    }
    const m = /^([0-9a-f]+) tree \d+$/.exec(line);
    if (r.error) return;
    if (m) {
      r.tree = m[1]!;
      list.send(`${empty} ${r.tree}\n`);
    } else r.error = new NotFoundError(`experiment ${shortId(r.id)}: its commit or tree is missing`);
  });

  const onEntry = (meta: string, path: string): void => {
    if (!current) return;
    current.count++;
    if (!want(path)) return;
    // ":<old mode> <new mode> <old id> <new id> <status>"
    const parts = meta.split(" ");
    const mode = parts[1]!;
    const blobId = parts[3]!;
    const r = current;
    r.modes.set(path, mode);
    r.blobIds.set(path, blobId);
    if (mode === GITLINK) {
      // a commit of another repository, usually absent here: never read it as a file
      r.error ??= new NotFoundError(`experiment ${shortId(r.id)}: ${path} is a submodule link, not a file`);
      return;
    }
    r.expected++;
    blobs.request(blobId, (o) => {
      r.received++;
      if (!o) r.error ??= new NotFoundError(`experiment ${shortId(r.id)}: ${path} is missing from the object store`);
      else if (o.type !== "blob") r.error ??= new NotFoundError(`experiment ${shortId(r.id)}: ${path} is a ${o.type}, not a file`);
      else r.files.set(path, o.data);
      if (r.received === r.expected) emit();
    });
  };
  const onTree = (tree: string): void => {
    finishListing();
    emit();
    // diff-tree skips a tree it cannot read without a word on stdout: those failed.
    while (listing < records.length) {
      // An experiment that failed early (its commit missing) may already be handed out and freed.
      const r = records[listing++];
      if (!r || r.error || r.tree === null) continue;
      if (r.tree === tree) {
        current = r;
        break;
      }
      r.error = new NotFoundError(`experiment ${shortId(r.id)}: its tree could not be read`);
    }
    if (!paused && listing - emitted > AHEAD_HIGH) {
      paused = true;
      list.child.stdout.pause();
    }
  };
  list.onDiff(onTree, onEntry);

  const add = (ids: string[]): void => {
    for (const id of ids) records.push(pending(id));
    peel.send(ids.map((id) => `${id}\n${id}^{tree}\n`).join(""));
  };
  // Attached now, not at close: a git process failing meanwhile must not go unhandled.
  const exited = Promise.all([peel.done().then(() => list.end()), list.done()]);
  exited.catch(() => undefined);
  const close = async (): Promise<void> => {
    peel.end();
    await exited;
    finishListing();
    for (; listing < records.length; listing++) {
      const r = records[listing];
      if (r && !r.error && r.tree !== null) r.error = new NotFoundError(`experiment ${shortId(r.id)}: its tree could not be read`);
    }
    emit();
    await blobs.close();
    emit();
    for (let i = emitted; i < records.length; i++) {
      records[i]!.error ??= new EnvironmentError("git cat-file stopped before every file was read");
    }
    emit();
  };
  return { add, close };
}

function pending(id: string): Pending {
  return { id, tree: null, error: null, listed: false, expected: 0, received: 0, files: new Map(), blobIds: new Map(), modes: new Map(), count: 0 };
}

/** A git child process whose output is parsed as it streams. */
function gitProcess(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  // Experiments are read as stored, never through `git replace` objects: their ids name their content.
  const child: ChildProcessWithoutNullStreams = spawn("git", ["--no-replace-objects", ...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
  child.stdin.on("error", () => {
    // reported through the exit status
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new EnvironmentError("git is not installed or not on PATH", { cause: e }) : e),
    );
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new EnvironmentError(`git ${args.join(" ")} exited (${code}): ${stderr.trim()}`));
    });
  });
  let outgoing = "";
  const flush = (): void => {
    if (outgoing !== "") child.stdin.write(outgoing);
    outgoing = "";
  };
  return {
    child,
    done: () => exited,
    /** Lines written in one go leave in one write once it is done, not a system call each. */
    send(text: string): void {
      if (outgoing === "") queueMicrotask(flush);
      outgoing += text;
    },
    /** No more input. */
    end(): void {
      flush();
      child.stdin.end();
    },
    /** Lines ended by `sep`, as latin1 text (ids and sizes only). */
    onLines(sep: string, fn: (line: string) => void): void {
      let rest = "";
      child.stdout.on("data", (b: Buffer) => {
        const text = rest + b.toString("latin1");
        const lines = text.split(sep);
        rest = lines.pop()!;
        for (const l of lines) fn(l);
      });
    },
    /**
     * `diff-tree --stdin -z` output: each input line echoed ("<tree> <tree>\n"), then per
     * file ":<meta>\0<path>\0". Paths are raw bytes, decoded as UTF-8.
     */
    onDiff(onTree: (tree: string) => void, onEntry: (meta: string, path: string) => void): void {
      let buf: Buffer = Buffer.alloc(0);
      child.stdout.on("data", (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        let pos = 0;
        for (;;) {
          if (pos >= buf.length) break;
          if (buf[pos] === 0x3a /* ':' */) {
            const metaEnd = buf.indexOf(0, pos);
            if (metaEnd < 0) break;
            const pathEnd = buf.indexOf(0, metaEnd + 1);
            if (pathEnd < 0) break;
            onEntry(buf.toString("latin1", pos + 1, metaEnd), buf.toString("utf8", metaEnd + 1, pathEnd));
            pos = pathEnd + 1;
          } else {
            const nl = buf.indexOf(10, pos);
            if (nl < 0) break;
            const line = buf.toString("latin1", pos, nl);
            onTree(line.slice(line.indexOf(" ") + 1));
            pos = nl + 1;
          }
        }
        buf = buf.subarray(pos);
      });
    },
  };
}

import { isFullId } from "../core/ids.js";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { runGit } from "./git.js";
import { GitCommandError } from "./git.js";
import { experimentIdsByPrefix } from "./ref-prefix.js";
import { commonGitDir, type Repository } from "./repository.js";

export const EXPERIMENT_REFS = "refs/experiments/";

export interface ExperimentRef {
  id: string;
  ref: string;
}

export interface RefListing {
  refs: ExperimentRef[];
  /** Refs whose name is not their target's id: reported, never followed. */
  corrupt: { ref: string; target: string }[];
}


/** Every experiment ref in one `git for-each-ref` call. */
export function listExperimentRefs(repo: Repository, namespace = EXPERIMENT_REFS): Promise<RefListing> {
  return refsMatching(repo, namespace, namespace);
}

/**
 * The ids of the experiment refs that start with `prefix` (lower-case hex), at the same cost
 * at 100 refs as at 1,000,000 (listing them all takes about a second per 100,000): read from
 * packed-refs by binary search and the loose refs' folder, else (reftable) by git, which
 * looks the pattern's literal part up the same way.
 */
export async function experimentIdsWithPrefix(repo: Repository, prefix: string): Promise<string[]> {
  if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new Error(`not a lower-case hex prefix: ${prefix}`);
  const read = experimentIdsByPrefix(repo, EXPERIMENT_REFS, prefix);
  if (read) return read;
  return (await refsMatching(repo, `${EXPERIMENT_REFS}${prefix}*`, EXPERIMENT_REFS)).refs.map((r) => r.id);
}

/** Every ref `pattern` matches (a prefix or a glob) with its target, in one `git for-each-ref` call. */
export async function refTargets(repo: Repository, pattern: string): Promise<{ ref: string; target: string }[]> {
  const r = await runGit(["for-each-ref", "--format=%(objectname) %(refname)", pattern], { cwd: repo.cwd, env: repo.env });
  if (r.code !== 0) throw new GitCommandError(["for-each-ref"], r);
  return r.stdout
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const sp = line.indexOf(" ");
      return { target: line.slice(0, sp), ref: line.slice(sp + 1) };
    });
}

async function refsMatching(repo: Repository, pattern: string, namespace: string): Promise<RefListing> {
  const listing: RefListing = { refs: [], corrupt: [] };
  for (const { ref, target } of await refTargets(repo, pattern)) {
    const name = ref.slice(namespace.length);
    if (name === target && isFullId(name)) listing.refs.push({ id: name, ref });
    else listing.corrupt.push({ ref, target });
  }
  return listing;
}

/**
 * Create refs that must not exist yet, all or nothing (`create` is git's compare-and-swap
 * against "absent"). Returns false when any already existed, so the caller can retry one
 * by one.
 */
export async function createRefsAtomically(repo: Repository, ids: string[]): Promise<boolean> {
  if (ids.length === 0) return true;
  const input = ids.map((id) => `create ${EXPERIMENT_REFS}${id} ${id}\n`).join("");
  const r = await runGit(["update-ref", "--stdin"], { cwd: repo.cwd, env: repo.env, input });
  if (r.code === 0) return true;
  if (/already exists|reference already exists|cannot lock ref/i.test(r.stderr)) return false;
  throw new GitCommandError(["update-ref", "--stdin"], r);
}

/** Create one ref if absent: "created", or "exists" when another writer got there first. */
export async function createRef(repo: Repository, id: string): Promise<"created" | "exists"> {
  const zero = "0".repeat(id.length);
  const r = await runGit(["update-ref", `${EXPERIMENT_REFS}${id}`, id, zero], { cwd: repo.cwd, env: repo.env });
  if (r.code === 0) return "created";
  const check = await runGit(["rev-parse", "-q", "--verify", `${EXPERIMENT_REFS}${id}`], { cwd: repo.cwd, env: repo.env });
  if (check.code === 0 && check.stdout.toString().trim() === id) return "exists";
  throw new GitCommandError(["update-ref", `${EXPERIMENT_REFS}${id}`], r);
}

/** Delete refs, each only if it still points where we saw it. */
export async function deleteRefs(repo: Repository, refs: ExperimentRef[]): Promise<void> {
  if (refs.length === 0) return;
  const input = refs.map((r) => `delete ${r.ref} ${r.id}\n`).join("");
  const r = await runGit(["update-ref", "--stdin"], { cwd: repo.cwd, env: repo.env, input });
  if (r.code !== 0) throw new GitCommandError(["update-ref", "--stdin"], r);
}

/**
 * Loose refs cost ~0.12 s to list at 10,000 but ~1.2 s at 100,000; packed ones ~0.17 s at
 * 100,000. Packing costs about a second itself, so bulk writers pack only once many loose
 * experiment refs have piled up. Best effort: another process holding the lock is fine.
 */
export async function packRefs(repo: Repository, threshold = LOOSE_REFS_BEFORE_PACKING): Promise<void> {
  if ((await countLooseExperimentRefs(repo)) < threshold) return;
  await runGit(["pack-refs", "--all"], { cwd: repo.cwd, env: repo.env });
}

const LOOSE_REFS_BEFORE_PACKING = 20_000;

async function countLooseExperimentRefs(repo: Repository): Promise<number> {
  try {
    return (await readdir(join(commonGitDir(repo.gitDir), EXPERIMENT_REFS))).length;
  } catch {
    return 0;
  }
}

const PACKED_HEADER = "# pack-refs with: peeled fully-peeled sorted \n";

/**
 * Create many new experiment refs straight in packed-refs, where `git pack-refs` would
 * leave them, under git's own `packed-refs.lock`. Creating 100,000 loose refs and packing
 * them costs a file create, rename and unlink each; this rewrites one file. Refs already
 * present (packed or loose) are left alone and returned in `existed`.
 *
 * Returns null when this repository needs git itself to create refs: reftable storage, a
 * reference-transaction hook to run, or the lock held by another process past a second.
 */
export async function createRefsPacked(repo: Repository, ids: string[]): Promise<{ existed: string[] } | null> {
  const paths = await runGit(["rev-parse", "--git-common-dir", "--git-path", "hooks/reference-transaction"], { cwd: repo.cwd, env: repo.env });
  if (paths.code !== 0) return null;
  const [commonRel, hookRel] = paths.stdout.toString("utf8").trim().split("\n");
  const common = resolve(repo.cwd, commonRel!);
  if (existsSync(join(common, "reftable")) || existsSync(resolve(repo.cwd, hookRel!))) return null;
  const packed = join(common, "packed-refs");
  const lock = `${packed}.lock`;
  if (!(await takeLock(lock))) return null;
  let renamed = false;
  try {
    const text = existsSync(packed) ? readFileSync(packed, "latin1") : "";
    const { header, records } = parsePacked(text);
    const known = new Set(records.map((r) => r.name));
    // A ref named like the folder itself would make every experiment ref a conflict: git decides.
    if (known.has(EXPERIMENT_REFS.slice(0, -1))) return null;
    const existed: string[] = [];
    const added: PackedRecord[] = [];
    for (const id of [...new Set(ids)]) {
      const name = EXPERIMENT_REFS + id;
      if (known.has(name) || existsSync(join(common, name))) existed.push(id);
      else added.push({ name, lines: `${id} ${name}\n` });
    }
    if (added.length > 0) {
      const all = header.includes(" sorted") || text === "" ? mergeSorted(records, added) : [...records, ...added];
      writeFileSync(lock, (text === "" ? PACKED_HEADER : header) + all.map((r) => r.lines).join(""), "latin1");
      renameSync(lock, packed);
      renamed = true;
    }
    return { existed };
  } finally {
    if (!renamed) rmSync(lock, { force: true });
  }
}

interface PackedRecord {
  name: string;
  /** The ref's line and its peeled line (`^<id>`) when it has one, as in the file. */
  lines: string;
}

function parsePacked(text: string): { header: string; records: PackedRecord[] } {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let header = "";
  const records: PackedRecord[] = [];
  for (const line of lines) {
    if (line.startsWith("#")) header += `${line}\n`;
    else if (line.startsWith("^") && records.length > 0) records[records.length - 1]!.lines += `${line}\n`;
    else records.push({ name: line.slice(line.indexOf(" ") + 1), lines: `${line}\n` });
  }
  return { header, records };
}

/** Both lists sorted by name bytes (latin1 text compares as bytes), as packed-refs must be. */
function mergeSorted(a: PackedRecord[], b: PackedRecord[]): PackedRecord[] {
  b.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const out: PackedRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.name < b[j]!.name)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** git's lock protocol: create `<file>.lock` exclusively; retry for about a second, as git does. */
async function takeLock(lock: string): Promise<boolean> {
  for (let wait = 5; wait < 1000; wait *= 2) {
    try {
      closeSync(openSync(lock, "wx"));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") return false;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
  return false;
}

/** The files-backend state of experiment refs: packed-refs' identity and the loose ones. */
export interface LooseRefState {
  /** Changes whenever packed-refs is rewritten (git renames a new file over it); "" when unsure. */
  packedStamp: string;
  /** Loose experiment refs: name -> the id it holds (null when it holds no plain id; a `known` one is its name). */
  loose: Map<string, string | null>;
}

/**
 * How long after a file changed its stats cannot be trusted to show a second change: a
 * change within the same tick of the file system's clock leaves them as they were (git's
 * "racy clean" problem). Linux file systems keep nanoseconds, their clock ticks every few
 * milliseconds: 50 ms is past any tick, so the command right after a `record` can trust
 * what it saw. Where times are whole seconds (FAT, some network file systems), two.
 */
export function racyMs(mtimeNs: bigint): number {
  return mtimeNs % 1_000_000_000n === 0n ? 2000 : 50;
}

/**
 * Experiment refs as files, without listing the packed ones: while packed-refs is the same
 * file, every change to experiment refs is a loose ref appearing or disappearing (creating
 * one, `update-ref -d` of one not packed). Null for reftable storage or anything unusual.
 */
export function looseExperimentRefs(repo: Repository, known: Set<string> = new Set(), now = Date.now()): LooseRefState | null {
  const common = commonGitDir(repo.gitDir);
  if (existsSync(join(common, "reftable"))) return null;
  const st = statSync(join(common, "packed-refs"), { bigint: true, throwIfNoEntry: false });
  const racy = st !== undefined && now - Number(st.mtimeNs / 1_000_000n) < racyMs(st.mtimeNs);
  const packedStamp = st === undefined ? "none" : racy ? "" : `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const loose = new Map<string, string | null>();
  const dir = join(common, EXPERIMENT_REFS);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { packedStamp, loose };
    return null;
  }
  for (const e of entries) {
    if (e.name.endsWith(".lock")) continue;
    if (!e.isFile()) return null;
    // A ref's content never changes (its name is its target): read only the new ones.
    if (known.has(e.name)) {
      loose.set(e.name, e.name);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(join(dir, e.name), "latin1").trim();
    } catch {
      return null; // deleted while listing: let the full listing decide
    }
    loose.set(e.name, isFullId(text) ? text : null);
  }
  return { packedStamp, loose };
}

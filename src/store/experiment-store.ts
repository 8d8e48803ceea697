import { isFullId, isIdPrefix, shortId } from "../core/ids.js";
import { AmbiguousError, EnvironmentError, InvalidInputError, NotFoundError } from "../core/errors.js";
import {
  commitMessage,
  experimentFiles,
  experimentFromFiles,
  validateExperiment,
  validateReadable,
  type Experiment,
  type TreeFile,
} from "../core/experiment.js";
import { experimentLimitProblem } from "../core/limits.js";
import { commitSeconds } from "../core/time.js";
import { access, constants } from "node:fs/promises";
import { join } from "node:path";
import { runGit, GitCommandError } from "./git.js";
import { ObjectReader } from "./object-reader.js";
import { readTreesInBulk } from "./bulk-read.js";
import { buildTree, commitBody, commitTreeId, makeObject, packfile, parseTree, TREE_MODE, type GitObject, type HashAlgo } from "./objects.js";
import {
  createRef,
  createRefsAtomically,
  createRefsPacked,
  deleteRefs,
  experimentIdsWithPrefix,
  listExperimentRefs,
  packRefs,
  EXPERIMENT_REFS,
  type ExperimentRef,
  type RefListing,
} from "./refs.js";
import type { Repository } from "./repository.js";
import type { ExperimentSource, ReadCallback } from "./experiment-source.js";
import { GitHistory } from "./history.js";
import { readAllAnnotations, readAnnotationsOf } from "./annotations.js";
import { foldAnnotations, type AnnotationEvent } from "../core/annotations.js";

export interface ResolveOptions {
  /** Also find experiments deleted with `rm` (to restore or purge them). */
  includeDeleted?: boolean;
}

export interface WriteOutcome {
  id: string;
  status: "created" | "exists";
  configHash: string;
  /** The source commit used as parent, or null when it is not in this repository. */
  parent: string | null;
}

export interface WriteOptions {
  /**
   * Experiments read from elsewhere (an export), kept exactly as they are: checked as a
   * reader checks them, so a `created_at` another writer stored without milliseconds or
   * in another zone is written back as it was, and the experiment keeps its id.
   */
  asRead?: boolean;
}

/** An experiment with everything that decides its id computed, nothing written yet. */
export interface Prepared {
  id: string;
  configHash: string;
  parent: string | null;
  objects: GitObject[];
}

/** From this many experiments on, three streaming git processes beat round trips on one. */
const BULK_READ_MIN = 64;

/**
 * Experiments in git: write, list, read, resolve, remove. Callers never learn which git
 * mechanism ran (pack streams, `cat-file --batch`, `update-ref --stdin`).
 */
export class ExperimentStore implements ExperimentSource {
  private reader: ObjectReader | undefined;
  readonly history: GitHistory;

  constructor(readonly repo: Repository) {
    this.history = new GitHistory(repo);
  }

  private objects(): ObjectReader {
    this.reader ??= new ObjectReader(this.repo.cwd, [], this.repo.env);
    return this.reader;
  }

  async close(): Promise<void> {
    await this.reader?.close();
    this.reader = undefined;
  }

  /**
   * Write experiments: objects first, then each ref with create-if-absent. Recording the
   * same content again is no error: the outcome says "exists" and nothing changes.
   */
  async write(exps: Experiment[], onProgress?: (done: number, total: number) => void, options: WriteOptions = {}): Promise<WriteOutcome[]> {
    const files = exps.map((e) => checkedFiles(e, options));
    const present = await this.existingCommits(exps.map((e) => e.meta.source?.commit ?? null));
    const prepared = exps.map((e, i) => this.prepare(e, files[i]!, present));
    const have = await this.existingRefs(prepared.map((p) => p.id));
    const fresh = dedupe(prepared.filter((p) => !have.has(p.id)));
    if (fresh.length > 0) {
      await this.assertWritable();
      await this.writeObjects(fresh.flatMap((p) => p.objects));
      onProgress?.(Math.floor(exps.length / 2), exps.length);
      const created = await this.createRefs(fresh.map((p) => p.id));
      for (const id of created.existed) have.add(id);
    }
    onProgress?.(exps.length, exps.length);
    const freshIds = new Set(fresh.map((p) => p.id));
    // Two equal experiments in one batch: the first is created, the second exists.
    const created = new Set<string>();
    const isNew = (id: string): boolean => {
      if (!freshIds.has(id) || have.has(id) || created.has(id)) return false;
      created.add(id);
      return true;
    };
    return prepared.map((p) => ({
      id: p.id,
      status: isNew(p.id) ? "created" : "exists",
      configHash: p.configHash,
      parent: p.parent,
    }));
  }

  /** The id an experiment would get here, without writing anything. */
  async idOf(exp: Experiment): Promise<string> {
    const files = checkedFiles(exp, {});
    const present = await this.existingCommits([exp.meta.source?.commit ?? null]);
    return this.prepare(exp, files, present).id;
  }

  private prepare(exp: Experiment, files: TreeFile[], presentCommits: Set<string>): Prepared {
    const source = exp.meta.source?.commit ?? null;
    return experimentObjects(exp, files, source !== null && presentCommits.has(source) ? source : null, this.repo.algo);
  }

  private async existingCommits(commits: (string | null)[]): Promise<Set<string>> {
    const wanted = [...new Set(commits.filter((c): c is string => c !== null))];
    const present = new Set<string>();
    const reader = this.objects();
    for (const c of wanted) {
      reader.request(c, (o) => {
        if (o?.type === "commit") present.add(c);
      });
    }
    await reader.drain();
    return present;
  }

  private async existingRefs(ids: string[]): Promise<Set<string>> {
    if (ids.length > 50) return this.existingRefsLookedUp(ids);
    const r = await runGit(["for-each-ref", "--format=%(refname)", ...ids.map((id) => EXPERIMENT_REFS + id)], {
      cwd: this.repo.cwd, env: this.repo.env,
    });
    if (r.code !== 0) throw new GitCommandError(["for-each-ref"], r);
    return new Set(
      r.stdout
        .toString("utf8")
        .split("\n")
        .filter(Boolean)
        .map((ref) => ref.slice(EXPERIMENT_REFS.length)),
    );
  }

  /** Each ref looked up through the pipelined reader: no listing of every experiment per batch. */
  private async existingRefsLookedUp(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const reader = this.objects();
    for (const id of new Set(ids)) {
      reader.request(EXPERIMENT_REFS + id, (o) => {
        if (o?.id === id) found.add(id);
      });
    }
    await reader.drain();
    return found;
  }

  private async assertWritable(): Promise<void> {
    for (const dir of [join(this.repo.gitDir, "objects"), join(this.repo.gitDir, "refs")]) {
      try {
        await access(dir, constants.W_OK);
      } catch (e) {
        throw new EnvironmentError(`cannot write to ${dir}: check the permissions of the repository's .git folder`, {
          cause: e,
        });
      }
    }
  }

  /** Small batches become loose objects, large ones one pack: as `git receive-pack` does. */
  private async writeObjects(objects: GitObject[]): Promise<void> {
    const unique = [...new Map(objects.map((o) => [o.id, o])).values()];
    const pack = packfile(unique, this.repo.algo);
    const args = unique.length <= 100 ? ["unpack-objects", "-q"] : ["index-pack", "--stdin"];
    const r = await runGit(args, { cwd: this.repo.cwd, env: this.repo.env, input: pack });
    if (r.code !== 0) {
      throw new EnvironmentError(`could not write objects into ${this.repo.gitDir}: ${r.stderr.trim()}`);
    }
  }

  /** Many refs go straight into packed-refs; a few, or when git must do it, through update-ref. */
  private async createRefs(ids: string[]): Promise<{ existed: string[] }> {
    if (ids.length > 100) {
      const packed = await createRefsPacked(this.repo, ids);
      if (packed) return packed;
      const outcome = await this.createLooseRefs(ids);
      await packRefs(this.repo);
      return outcome;
    }
    return this.createLooseRefs(ids);
  }

  private async createLooseRefs(ids: string[]): Promise<{ existed: string[] }> {
    if (await createRefsAtomically(this.repo, ids)) return { existed: [] };
    // Another writer created some of them meanwhile: same name means same content.
    const existed: string[] = [];
    for (const id of ids) if ((await createRef(this.repo, id)) === "exists") existed.push(id);
    return { existed };
  }

  list(): Promise<RefListing> {
    return listExperimentRefs(this.repo);
  }

  /** Read one experiment by full id. */
  async read(id: string): Promise<Experiment> {
    let result: Experiment | Error = new NotFoundError(`experiment ${id} not found`);
    await this.readMany([id], (_id, r) => (result = r));
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Read many experiments: a few through one pipelined reader, at most `window` in flight;
   * many in one streaming pass (bulk-read.ts). Results arrive in the order of `ids`;
   * failures are reported per id, never thrown.
   */
  async readMany(ids: string[], onEach: ReadCallback, window = 256): Promise<void> {
    if (ids.length >= BULK_READ_MIN) {
      await readTreesInBulk(this.repo, ids, (id, r) => onEach(id, r instanceof Error ? r : toExperiment(id, r.files)));
      return;
    }
    const reader = this.objects();
    const done = new Map<number, Experiment | Error>();
    let next = 0;
    let emitted = 0;
    await new Promise<void>((resolve) => {
      const flush = (): void => {
        while (done.has(emitted)) {
          const r = done.get(emitted)!;
          done.delete(emitted);
          onEach(ids[emitted]!, r);
          emitted++;
        }
      };
      const pump = (): void => {
        while (next < ids.length && next - emitted < window) {
          const i = next++;
          const id = ids[i]!;
          this.readFiles(reader, id, (files, err) => {
            done.set(i, err ?? toExperiment(id, files!));
            flush();
            if (emitted === ids.length) resolve();
            else pump();
          });
        }
      };
      if (ids.length === 0) resolve();
      else pump();
    });
  }

  private readFiles(
    reader: ObjectReader,
    id: string,
    done: (files: Map<string, Uint8Array> | null, err?: Error) => void,
  ): void {
    const files = new Map<string, Uint8Array>();
    let pending = 1;
    let failed = false;
    const settle = (): void => {
      if (--pending === 0 && !failed) done(files);
    };
    const fail = (err: Error): void => {
      if (!failed) done(null, err);
      failed = true;
    };
    const readTree = (spec: string, prefix: string): void => {
      reader.request(spec, (tree) => {
        if (!tree || tree.type !== "tree") {
          fail(new NotFoundError(`experiment ${shortId(id)}: tree ${prefix || "/"} is missing`));
          return;
        }
        let entries: ReturnType<typeof parseTree>;
        try {
          entries = parseTree(tree.data, this.repo.algo);
        } catch {
          fail(new NotFoundError(`experiment ${shortId(id)}: tree ${prefix || "/"} is damaged`));
          return;
        }
        for (const e of entries) {
          pending++;
          const path = prefix + e.name;
          if (e.mode === TREE_MODE) readTree(e.id, `${path}/`);
          else
            reader.request(e.id, (blob) => {
              if (!blob) return fail(new NotFoundError(`experiment ${shortId(id)}: ${path} is missing`));
              files.set(path, blob.data);
              settle();
            });
        }
        settle();
      });
    };
    // The commit first: a ref to a tree or a tag would peel to a tree just as well.
    reader.request(id, (commit) => {
      const tree = commit?.type === "commit" ? commitTreeId(commit.data) : undefined;
      if (tree) return readTree(tree, "");
      fail(new NotFoundError(`experiment ${shortId(id)}: ${commit ? `it names a ${commit.type}, not a commit` : "its commit is missing"}`));
    });
  }

  /** One file of an experiment's tree by full id and slash path; undefined when there is none. */
  async readFile(id: string, path: string): Promise<Uint8Array | undefined> {
    assertId(id);
    const o = await this.objects().read(`${id}:${path}`);
    return o?.type === "blob" ? o.data : undefined;
  }

  /** The config hash of an experiment read back: the blob id its canonical config.json has. */
  configHashOf(exp: Experiment): string {
    return configHashIn(exp, this.repo.algo);
  }

  /** The config hash: the blob id of config.json, as stored (through the open reader: no git process). */
  async configHash(id: string): Promise<string> {
    const o = await this.objects().read(`${id}:config.json`);
    if (!o) throw new NotFoundError(`experiment ${shortId(id)} has no config.json`);
    return o.id;
  }

  /** The annotation events of a few experiments (full ids), through the open reader. */
  annotationsOf(ids: string[]): Promise<Map<string, AnnotationEvent[]>> {
    return readAnnotationsOf(this.objects(), ids);
  }

  /** Parents of an experiment commit (its source commit when that was present). */
  async commitParents(id: string): Promise<string[]> {
    const c = await this.objects().read(id);
    if (!c || c.type !== "commit") throw new NotFoundError(`experiment ${id} not found`);
    return [...c.data.toString("utf8").matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1]!);
  }

  /** Every experiment's annotation events (tags, notes, renames, deletes), by id. */
  annotations(): Promise<Map<string, AnnotationEvent[]>> {
    return readAllAnnotations(this.repo, this.objects());
  }

  /**
   * Name an experiment by full ref, full id, unique id prefix (4+ hex) or unique current
   * name (after renames). Deleted experiments are not found unless asked for. Ambiguity is
   * an error listing the candidates. An id prefix costs one ref lookup and the notes of its
   * matches, the same at any number of experiments; only a name lists every ref.
   */
  async resolve(spec: string, options: ResolveOptions = {}): Promise<string> {
    return (await this.resolveAll([spec], options))[0]!;
  }

  /** Several at once, in order; names among them list the refs and read the annotations once for all. */
  async resolveAll(specs: string[], options: ResolveOptions = {}): Promise<string[]> {
    let everything: Promise<{ refs: ExperimentRef[]; events: Map<string, AnnotationEvent[]> }> | undefined;
    const all = (): Promise<{ refs: ExperimentRef[]; events: Map<string, AnnotationEvent[]> }> =>
      (everything ??= Promise.all([this.list(), this.annotations()]).then(([listing, events]) => ({ refs: listing.refs, events })));
    const ids: string[] = [];
    for (const spec of specs) ids.push(await this.resolveOne(spec, all, options));
    return ids;
  }

  /** Resolve among the refs of `listing` only (experiments in quarantine, say), as resolve() does among all. */
  resolveIn(spec: string, listing: RefListing, options: ResolveOptions = {}): Promise<string> {
    const everything = async (): Promise<{ refs: ExperimentRef[]; events: Map<string, AnnotationEvent[]> }> => ({ refs: listing.refs, events: await this.annotations() });
    const byPrefix = async (prefix: string): Promise<string[]> => listing.refs.filter((r) => r.id.startsWith(prefix)).map((r) => r.id);
    return this.resolveOne(spec, everything, options, byPrefix);
  }

  private async resolveOne(
    spec: string,
    everything: () => Promise<{ refs: ExperimentRef[]; events: Map<string, AnnotationEvent[]> }>,
    options: ResolveOptions,
    byPrefix = (prefix: string): Promise<string[]> => experimentIdsWithPrefix(this.repo, prefix),
  ): Promise<string> {
    const s = spec.trim();
    const bare = s.startsWith(EXPERIMENT_REFS) ? s.slice(EXPERIMENT_REFS.length) : s;
    if (isIdPrefix(bare)) {
      const all = await byPrefix(bare.toLowerCase());
      if (all.length > 0) {
        const events = options.includeDeleted ? new Map<string, AnnotationEvent[]>() : await readAnnotationsOf(this.objects(), all);
        const hits = all.filter((id) => options.includeDeleted || !isDeleted(events, id));
        if (hits.length === 1) return hits[0]!;
        if (hits.length > 1) throw new AmbiguousError(spec, hits.map((id) => shortId(id)));
        throw deletedError(spec, all[0]!);
      }
    }
    if (s.startsWith(EXPERIMENT_REFS)) throw new NotFoundError(`no experiment at ${s}; see 'git exp ls'`);
    const { refs, events } = await everything();
    const named = await this.findByName(refs, s, events);
    const hits = options.includeDeleted ? named : named.filter((id) => !isDeleted(events, id));
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new AmbiguousError(spec, hits.map((id) => shortId(id)));
    if (named.length > 0) throw deletedError(spec, named[0]!);
    throw new NotFoundError(`no experiment matches '${spec}' by id, prefix or name; see 'git exp ls'`);
  }

  /** Whether any experiment (deleted ones too) has `name` as its current name. */
  async nameTaken(name: string): Promise<boolean> {
    const refs = (await this.list()).refs;
    return (await this.findByName(refs, name, await this.annotations())).length > 0;
  }

  /** Experiments whose current name (stored, or the latest rename) is `name`. */
  private async findByName(refs: ExperimentRef[], name: string, events: Map<string, AnnotationEvent[]>): Promise<string[]> {
    const reader = this.objects();
    const hits: string[] = [];
    // As canonical JSON spells it: a name holding `"` or `\` is escaped in the file.
    const spelled = JSON.stringify(name);
    for (const r of refs) {
      const ev = events.get(r.id);
      const renamed = ev?.some((e) => e.op === "rename");
      if (!renamed) {
        reader.request(`${r.id}:experiment.json`, (o) => {
          if (o && o.data.includes(spelled) && parseName(o.data) === name) hits.push(r.id);
        });
      } else if (foldAnnotations({}, ev!).name === name) hits.push(r.id);
    }
    await reader.drain();
    return hits;
  }

  /** Delete experiment refs; the objects stay until `git gc` prunes them. */
  async remove(ids: string[]): Promise<void> {
    await this.assertWritable();
    await deleteRefs(
      this.repo,
      ids.map((id) => ({ id, ref: EXPERIMENT_REFS + id })),
    );
  }
}

function isDeleted(events: Map<string, AnnotationEvent[]>, id: string): boolean {
  return foldAnnotations({}, events.get(id) ?? []).deleted;
}

function deletedError(spec: string, id: string): NotFoundError {
  return new NotFoundError(
    `'${spec}' names experiment ${shortId(id)}, which was deleted with 'git exp rm'; 'git exp restore ${shortId(id)}' brings it back`,
  );
}

export function toExperiment(id: string, files: Map<string, Uint8Array>): Experiment | Error {
  try {
    return experimentFromFiles(files, shortId(id));
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function parseName(data: Buffer): string | undefined {
  try {
    const v = JSON.parse(data.toString("utf8")) as { name?: unknown };
    return typeof v.name === "string" ? v.name : undefined;
  } catch {
    return undefined;
  }
}

function dedupe(items: Prepared[]): Prepared[] {
  return [...new Map(items.map((p) => [p.id, p])).values()];
}

function assertId(id: string): void {
  if (!isFullId(id)) throw new InvalidInputError(`${id} is not a full experiment id`);
}

/**
 * The files an experiment would be stored as, refused (exit 2) past the size limits before
 * anything else looks at it, then validated; the limits are those pull and the index apply.
 */
/** The config hash of an experiment read back: the blob id its canonical config.json has. */
export function configHashIn(exp: Experiment, algo: HashAlgo): string {
  return makeObject("blob", experimentFiles({ ...exp, series: {}, files: {} }).find((f) => f.path === "config.json")!.data, algo).id;
}

/**
 * The objects of an experiment's commit, its id and its config hash: a pure function of the
 * content and the parent, so any writer (git, memory) gives the same id.
 */
export function experimentObjects(exp: Experiment, files: TreeFile[], parent: string | null, algo: HashAlgo): Prepared {
  const objects = buildTree(files, algo);
  const root = objects[objects.length - 1]!;
  const configHash = makeObject("blob", files.find((f) => f.path === "config.json")!.data, algo).id;
  const commit = makeObject(
    "commit",
    commitBody({
      tree: root.id,
      parents: parent ? [parent] : [],
      name: exp.meta.created_by.name,
      email: exp.meta.created_by.email,
      seconds: commitSeconds(exp.meta.created_at),
      message: commitMessage(exp.meta, configHash),
    }),
    algo,
  );
  objects.push(commit);
  return { id: commit.id, configHash, parent, objects };
}

/** An experiment's files, checked against the schema and the size limits before anything is written. */
export function checkedFiles(exp: Experiment, options: WriteOptions): TreeFile[] {
  const files = experimentFiles(exp);
  const tooLarge = experimentLimitProblem(new Map(files.map((f) => [f.path, f.data])));
  if (tooLarge) throw new InvalidInputError(`the experiment is past the limits: ${tooLarge}`);
  if (options.asRead) validateReadable(exp);
  else validateExperiment(exp);
  return files;
}

import type { AnnotationEvent } from "../core/annotations.js";
import { NotFoundError } from "../core/errors.js";
import type { Experiment } from "../core/experiment.js";
import type { ExperimentSource, ReadCallback } from "./experiment-source.js";
import { checkedFiles, configHashIn, experimentObjects, toExperiment } from "./experiment-store.js";
import { checkRevName, noSuchRev, type CommitHistory, type HistoryCommit } from "./history.js";
import type { HashAlgo } from "./objects.js";
import { EXPERIMENT_REFS, type RefListing } from "./refs.js";

interface MemoryCommit {
  parents: string[];
  date: string;
  subject: string;
}

/**
 * The code's history held in memory: commits added with their parents, branches pointing at
 * them. Answers as GitHistory does for the refs it knows (full ids, branch names, HEAD).
 */
export class MemoryHistory implements CommitHistory {
  private readonly commits = new Map<string, MemoryCommit>();
  private readonly refs = new Map<string, string>();
  private counter = 0;

  /** A new commit on `parent` (none: a root commit); its id is made up, 40 hex like a SHA-1's. */
  commit(parent: string | null, subject = "change", date = "2026-01-01T00:00:00Z"): string {
    const id = (++this.counter).toString(16).padStart(40, "0");
    this.commits.set(id, { parents: parent === null ? [] : [parent], date, subject });
    return id;
  }

  /** Point a branch (or HEAD) at a commit. */
  branch(name: string, commit: string): void {
    this.refs.set(name, commit);
  }

  async resolveCommit(ref: string): Promise<string | null> {
    if (ref.startsWith("-")) return null;
    const id = this.refs.get(ref) ?? ref;
    return this.commits.has(id) ? id : null;
  }

  async isShallow(): Promise<boolean> {
    return false;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const ofA = this.ancestors(a);
    // The nearest common ancestor along b's history, as git's merge-base finds in a line of commits.
    for (const c of this.walk(b)) if (ofA.has(c)) return c;
    return null;
  }

  async commitsBetween(base: string, head: string): Promise<string[]> {
    const ofBase = this.ancestors(base);
    return [...this.walk(head)].filter((c) => !ofBase.has(c));
  }

  async branchHistory(rev: string, max = 100_000): Promise<HistoryCommit[]> {
    checkRevName(rev);
    const tip = await this.resolveCommit(rev);
    if (tip === null) throw noSuchRev(rev);
    const out: HistoryCommit[] = [];
    for (let at: string | undefined = tip; at !== undefined && out.length < max; ) {
      const c: MemoryCommit = this.commits.get(at)!;
      out.push({ commit: at, date: c.date, subject: c.subject });
      at = c.parents[0];
    }
    return out.reverse();
  }

  /** Every commit reachable from `from`, nearest first. */
  private *walk(from: string): Generator<string> {
    const seen = new Set<string>();
    const queue = [from];
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (seen.has(c) || !this.commits.has(c)) continue;
      seen.add(c);
      yield c;
      queue.push(...this.commits.get(c)!.parents);
    }
  }

  private ancestors(from: string): Set<string> {
    return new Set(this.walk(from));
  }
}

/**
 * Experiments, annotations and history in memory, for fast tests of analysis (as git-bug's
 * mock repository). Experiments are checked and given their ids as ExperimentStore gives
 * them, and read back through the same decoding, so an analysis sees what it would see from git.
 */
export class MemoryStore implements ExperimentSource {
  readonly history = new MemoryHistory();
  private readonly files = new Map<string, Map<string, Uint8Array>>();
  private readonly events = new Map<string, AnnotationEvent[]>();

  constructor(private readonly algo: HashAlgo = "sha1") {}

  /** Record an experiment; its source commit is its parent when the history holds it. Returns its id. */
  async add(exp: Experiment): Promise<string> {
    const files = checkedFiles(exp, {});
    const source = exp.meta.source?.commit ?? null;
    const parent = source !== null && (await this.history.resolveCommit(source)) === source ? source : null;
    const { id } = experimentObjects(exp, files, parent, this.algo);
    this.files.set(id, new Map(files.map((f) => [f.path, f.data])));
    return id;
  }

  /** An annotation event (tag, note, rename, delete) on an experiment. */
  annotate(id: string, event: AnnotationEvent): void {
    this.events.set(id, [...(this.events.get(id) ?? []), event]);
  }

  async list(): Promise<RefListing> {
    return { refs: [...this.files.keys()].sort().map((id) => ({ id, ref: EXPERIMENT_REFS + id })), corrupt: [] };
  }

  async read(id: string): Promise<Experiment> {
    const files = this.files.get(id);
    if (!files) throw new NotFoundError(`experiment ${id} not found`);
    const exp = toExperiment(id, files);
    if (exp instanceof Error) throw exp;
    return exp;
  }

  async readMany(ids: string[], onEach: ReadCallback): Promise<void> {
    for (const id of ids) onEach(id, await this.read(id).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  }

  async annotations(): Promise<Map<string, AnnotationEvent[]>> {
    return new Map([...this.events].map(([id, evs]) => [id, [...evs]]));
  }

  configHashOf(exp: Experiment): string {
    return configHashIn(exp, this.algo);
  }
}

import { CorruptDataError, EnvironmentError, NotFoundError, UsageError } from "../core/errors.js";
import { treePath, type Experiment } from "../core/experiment.js";
import { canonicalJson, toPlainJson, type JsonObject } from "../core/json.js";
import { commitExists } from "../store/commits.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Repository } from "../store/repository.js";
import { createNewRef, isBranchName, refExists } from "../store/branches.js";
import { changedFiles, commitTree, headTree, treeDiff, treeOf, treeWithChanges } from "../store/trees.js";
import { applyPatch, changedTrackedFiles, workTreeMatches } from "../store/work-tree.js";
import { shortId } from "../core/ids.js";

const PATCH = "patch.diff";

/** What an experiment's code is made of: its source commit, its patch and its config file. */
interface CodeState {
  id: string;
  commit: string;
  patch: Uint8Array | undefined;
  /** The file `run --config` read, relative to the top of the work tree, with the recorded config. */
  config: { path: string; text: string } | undefined;
}

export interface ApplyOutcome {
  id: string;
  commit: string;
  /** Files the work tree changed in, by git's status letter (A, M, D, ...). */
  changed: { status: string; path: string }[];
  patchApplied: boolean;
  configWritten: string | null;
}

export interface BranchOutcome {
  id: string;
  branch: string;
  /** The commit the branch points at: the source commit, or a commit on it holding the patch. */
  head: string;
  commit: string;
  patchCommitted: boolean;
  configWritten: string | null;
}

async function codeState(store: ExperimentStore, spec: string): Promise<CodeState> {
  const id = await store.resolve(spec);
  const exp = await store.read(id);
  const commit = exp.meta.source?.commit;
  if (!commit) throw new NotFoundError(`experiment ${shortId(id)} has no source commit: it was recorded outside a commit, so there is no code to bring back`);
  if (!(await commitExists(store.repo, commit))) {
    throw new NotFoundError(`source commit ${shortId(commit)} of experiment ${shortId(id)} is not in this repository; fetch it (git fetch <remote> ${commit}) and try again`);
  }
  const patch = exp.files[PATCH];
  return { id, commit, patch: patch && patch.length > 0 ? patch : undefined, config: await configFile(exp) };
}

/** The config as the file `run --config` named holds it: YAML for .yaml/.yml, else JSON. */
async function configFile(exp: Experiment): Promise<CodeState["config"]> {
  const path = treePath((exp.meta.source as JsonObject | undefined)?.["config"]);
  if (path === undefined) return undefined;
  if (/\.ya?ml$/i.test(path)) {
    const { stringify } = await import("yaml");
    return { path, text: stringify(toPlainJson(exp.config)) };
  }
  return { path, text: canonicalJson(exp.config, { source: "config.json" }) };
}

/** The tree of the experiment's code: its source commit's tree with patch.diff and the config file applied. */
async function codeTree(repo: Repository, s: CodeState): Promise<string> {
  const built = await treeWithChanges(repo, s.commit, { patch: s.patch, file: s.config });
  if ("patchError" in built) throw new CorruptDataError(`the recorded patch.diff of ${shortId(s.id)} does not apply to ${shortId(s.commit)}: ${built.patchError}`);
  return built.tree;
}

function workTreeOf(repo: Repository): string {
  if (repo.workTree === null) throw new EnvironmentError("this repository has no work tree (it is bare): run git exp apply in a clone with one");
  return repo.workTree;
}

/**
 * Put an experiment's code into the work tree without checking anything out: the diff from
 * HEAD to its source commit, plus its patch.diff, plus the config written to the file
 * `run --config` named. Refused on uncommitted changes unless `force`; applied as one patch,
 * so a conflict changes nothing.
 */
export async function applyExperiment(store: ExperimentStore, spec: string, options: { force?: boolean } = {}): Promise<ApplyOutcome> {
  const top = workTreeOf(store.repo);
  const s = await codeState(store, spec);
  const tree = await codeTree(store.repo, s);
  // Applied before, the work tree already is the code and so has uncommitted changes: say
  // that nothing is to do, before refusing a dirty tree or failing on a conflict.
  if (await workTreeMatches(store.repo, top, tree)) return { id: s.id, commit: s.commit, changed: [], patchApplied: s.patch !== undefined, configWritten: s.config?.path ?? null };
  if (!options.force) {
    const dirty = await changedTrackedFiles(store.repo, top);
    if (dirty.length > 0) {
      throw new UsageError(`the work tree has uncommitted changes (${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", ..." : ""}): commit or stash them first, or pass --force to apply on top of them`);
    }
  }
  const from = await headTree(store.repo);
  const diff = await treeDiff(store.repo, from, tree);
  const changed = await changedFiles(store.repo, from, tree);
  if (changed === null) throw new EnvironmentError(`git diff --name-status ${from} ${tree} failed`);
  if (diff.length > 0) {
    const refused = await applyPatch(store.repo, top, diff);
    if (refused !== undefined) {
      throw new UsageError(`the code of experiment ${shortId(s.id)} does not apply to this work tree (nothing was changed): ${refused.split("\n")[0]}; commit or stash your changes and try again`);
    }
  }
  return { id: s.id, commit: s.commit, changed, patchApplied: s.patch !== undefined, configWritten: s.config?.path ?? null };
}

/**
 * A branch at the experiment's source commit; when the run had uncommitted changes (or a
 * config file), one commit on top holds them, so checking the branch out is the run's code.
 */
export async function branchExperiment(store: ExperimentStore, spec: string, name: string): Promise<BranchOutcome> {
  const repo = store.repo;
  if (!(await isBranchName(repo, name))) {
    throw new UsageError(`'${name}' is not a valid branch name (see git check-ref-format)`);
  }
  const ref = `refs/heads/${name}`;
  if (await refExists(repo, ref)) {
    throw new UsageError(`branch ${name} already exists: give another name, or delete it first (git branch -D ${name})`);
  }
  const s = await codeState(store, spec);
  let head = s.commit;
  if (s.patch || s.config) {
    const tree = await codeTree(repo, s);
    const base = await treeOf(repo, s.commit);
    if (tree !== base) {
      const what = [s.patch ? "its uncommitted changes" : "", s.config ? `its config in ${s.config.path}` : ""].filter(Boolean).join(" and ");
      const message = `Code of experiment ${shortId(s.id)}: ${what}\n\nExperiment: ${s.id}\n`;
      head = await commitTree(repo, tree, s.commit, message);
    }
  }
  const refused = await createNewRef(repo, ref, head);
  if (refused !== undefined) throw new UsageError(`could not create branch ${name}: ${refused}`);
  return { id: s.id, branch: name, head, commit: s.commit, patchCommitted: s.patch !== undefined && head !== s.commit, configWritten: head !== s.commit ? (s.config?.path ?? null) : null };
}

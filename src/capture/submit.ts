import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvironmentError, InvalidInputError, UsageError } from "../core/errors.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { shortId } from "../core/ids.js";
import { studyId, type SweepSpec } from "../core/sweep-spec.js";
import { CLAIM_REFS, listClaims, type Claim } from "../store/claims.js";
import { remoteHasCommit, remoteRefs, remoteUrl, type CloneSource } from "../store/clone.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { trackedPaths } from "../store/work-tree.js";
import { unreproducibleFiles, unreproducibleWarnings } from "./command-files.js";
import type { Executor, WorkState } from "./executors/executor.js";
import { captureIdentity, capturePatch, captureSource } from "./git-state.js";
import type { RunPlan } from "./run-plan.js";
import { preflight, type RunOutcome, type RunSummary } from "./run.js";
import { readStudy, studyDir, writeStudy, type Study } from "./study.js";

export interface SubmitOptions {
  executor: Executor;
  /** The user's scheduler options, as given (`--slurm "..."`). */
  args: string[];
  /** gitexp.json's defaults for this executor. */
  defaults: JsonObject;
  /** -j N: at most N trials at once. */
  atOnce: number | undefined;
  /** A search instead of a grid: workers ask the study for trials. */
  search?: SearchSubmission;
  /**
   * `--push REMOTE`: the nodes do not share this repository. Each task clones the remote,
   * rebuilds this tree's code state, records there and pushes its experiment back.
   */
  push?: string;
  /** What a local run would warn of (a script git does not track), said before submitting. */
  onWarning?: (text: string) => void;
}

/** `--sweep FILE` on a scheduler: `workers` array tasks, each asking the study for trials until it is done. */
export interface SearchSubmission {
  /** The sweep file, absolute, and as the user wrote it (named in errors). */
  file: string;
  shownAs: string;
  spec: SweepSpec;
  /** Trials in all (run_cap or --trials). */
  size: number;
  trials?: number;
  samplerSeed?: number;
  workers: number;
}

export interface Submission {
  sweep: string;
  job: string;
  trials: number;
  /** Workers in the job: one per trial for a grid, -j N for a search. */
  tasks: number;
  dir: string;
  study: Study;
  /** Where the workers' output goes, `<task>` standing for each task's index. */
  logs: string;
}

/**
 * Hand a planned run to a scheduler as one job of one worker per point. Everything that can
 * be refused is refused first (no scheduler client, a dirty tree with --require-clean, the
 * scheduler saying no, a job that can never start): then no study is left and nothing is
 * recorded.
 */
export async function submitPlan(store: ExperimentStore, plan: RunPlan, o: SubmitOptions): Promise<Submission> {
  const r = plan.request;
  await o.executor.checkAvailable(r.environ, r.cwd);
  await preflight(store, plan);
  const search = o.search;
  if (o.push !== undefined && search) {
    throw new UsageError("--push runs a grid or seeds; a --sweep search needs a repository the nodes share (its workers read each other's trials)");
  }
  await checkCommandFiles(store, plan, o);
  const push = o.push === undefined ? undefined : await cloneSourceFor(store, o.push);
  // A search is named by its file and command, as a local one: submitting it again continues it.
  const sweep = search ? studyId(search.spec, r.command) : randomBytes(4).toString("hex");
  const dir = studyDir(store.repo, sweep);
  const fresh = !existsSync(dir);
  const { environ: _environ, ...request } = r;
  const study: Study = {
    schema: 1,
    sweep,
    executor: o.executor.name,
    method: search ? search.spec.method : "grid",
    size: search ? search.size : plan.points.length,
    created_at: new Date().toISOString(),
    request,
    argv: plan.argv,
    points: plan.points,
    ...(push ? { push } : {}),
  };
  if (search) {
    const file = `sweep${extname(search.file)}`;
    study.search = { file, shownAs: search.shownAs, ...(search.trials !== undefined ? { trials: search.trials } : {}), ...(search.samplerSeed !== undefined ? { samplerSeed: search.samplerSeed } : {}) };
    await mkdir(dir, { recursive: true });
    await copyFile(search.file, join(dir, file));
  }
  await writeStudy(dir, study);
  try {
    const submitted = await o.executor.submit({
      studyDir: dir,
      sweepId: sweep,
      tasks: search ? search.workers : plan.points.length,
      atOnce: search ? undefined : o.atOnce,
      cwd: r.cwd,
      workerArgv: push ? [...gitExpArgv(), "worker", "--stdin"] : [...gitExpArgv(), "worker", dir],
      // the nodes cannot read this folder: the job script carries the study
      ...(push ? { inlineStudy: canonicalJson(study) } : {}),
      defaults: o.defaults,
      args: o.args,
      environ: r.environ,
    });
    const done: Study = { ...study, job: submitted.job, submitted: submitted.script };
    await writeStudy(dir, done);
    const stuck = (await o.executor.states([submitted.job], r.environ)).find((s) => s.cannotStart);
    if (stuck) {
      await o.executor.cancel([submitted.job], r.environ).catch(() => undefined);
      throw new InvalidInputError(cannotStartMessage(submitted.job, stuck));
    }
    const logs = o.executor.logOf({ studyDir: dir, sweep, job: submitted.job, task: "<task>", shared: !push });
    return { sweep, job: submitted.job, trials: study.size, tasks: search ? search.workers : plan.points.length, dir, study: done, logs };
  } catch (e) {
    if (fresh) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The command's files the commit will not hold: warned of as a local run warns; with --push
 * refused, since the nodes' clones have only what git tracks (and so has the folder the
 * command runs in).
 */
async function checkCommandFiles(store: ExperimentStore, plan: RunPlan, o: SubmitOptions): Promise<void> {
  const r = plan.request;
  const found = await unreproducibleFiles(plan.argv, r.cwd, store.repo, r.environ, r.inputs);
  if (o.push !== undefined) {
    const nothing = "; nothing was submitted";
    const f = found.untracked[0];
    if (f !== undefined) throw new InvalidInputError(`the command names ${f}, which git does not track: with --push the nodes have only the commit and its tracked changes, so commit it (or 'git add' it) first${nothing}`);
    const folder = await untrackedFolder(store, r.cwd);
    if (folder !== undefined) throw new InvalidInputError(`the command runs in ${folder}/, which holds no file git tracks, so the nodes' clones have no such folder: run from a folder of the repository${nothing}`);
  }
  for (const w of unreproducibleWarnings(found)) o.onWarning?.(w);
}

/** The command's folder relative to the top when git tracks nothing in it (a clone would lack it). */
async function untrackedFolder(store: ExperimentStore, cwd: string): Promise<string | undefined> {
  const top = store.repo.workTree;
  if (top === null) return undefined;
  const rel = relative(top, cwd).split(sep).join("/");
  if (rel === "" || rel.startsWith("..")) return undefined;
  const tracked = await trackedPaths(store.repo, [rel]);
  return tracked !== null && [...tracked].every((p) => p === "") ? rel : undefined;
}

/**
 * The code state a --push task rebuilds: HEAD, which the remote must have (the nodes clone
 * it from there), and the uncommitted changes to tracked files, which travel in the study.
 */
async function cloneSourceFor(store: ExperimentStore, spec: string): Promise<CloneSource & { workTree: string }> {
  const repo = store.repo;
  if (repo.workTree === null) throw new UsageError("--push runs from a work tree: the nodes rebuild its code state");
  const url = await remoteUrl(repo, spec);
  const { commit, branch } = await captureSource(repo);
  if (commit === null) throw new InvalidInputError("--push needs a commit for the nodes to clone: commit first; nothing was submitted");
  if (!(await remoteHasCommit(repo, url, commit))) {
    throw new InvalidInputError(`commit ${shortId(commit)} is not on ${spec}, so the nodes could not clone it: push it first ('git push ${spec} ${branch ?? "HEAD"}'); nothing was submitted`);
  }
  const [patch, identity] = await Promise.all([capturePatch(repo), captureIdentity(repo)]);
  return { url, commit, branch, patchBase64: Buffer.from(patch).toString("base64"), identity, workTree: repo.workTree };
}

function cannotStartMessage(job: string, s: WorkState): string {
  if (s.held) return `job ${job} is held by Slurm (${s.reason}) and nothing else of it runs; it was cancelled and nothing was recorded (submit it again, or submit with --hold and release it with scontrol release)`;
  return `job ${job} can never start: Slurm holds it back for ${s.reason} (it asks for more than the partition or account allows: a longer --time, more nodes, an unknown constraint); it was cancelled and nothing was recorded`;
}

/** How `git exp` itself is started again on a node: this Node and this package's bin/git-exp, by absolute path. */
function gitExpArgv(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const bin = join(dir, "bin", "git-exp");
    if (existsSync(bin)) return [process.execPath, bin];
    dir = resolve(dir, "..");
  }
  throw new EnvironmentError("cannot find bin/git-exp of this installation to start workers with");
}

export interface WaitHooks {
  /** Once per change of what the job does: pending for a reason, n running, n done. */
  onState?: (text: string) => void;
  /** A --push study, once its job ended: bring the remote's experiments here (git exp pull). */
  pull?: (url: string) => Promise<void>;
}

/**
 * Wait until every worker of the study's job has ended (polling the scheduler once a
 * second), then summarise as a local sweep does. A job that turns out unable to start is
 * cancelled and refused.
 */
export async function waitForStudy(store: ExperimentStore, sub: Submission, executor: Executor, environ: NodeJS.ProcessEnv, hooks: WaitHooks = {}): Promise<RunSummary> {
  let said = "";
  let last: WorkState[] = [];
  for (;;) {
    const states = await executor.states([sub.job], environ);
    last = states;
    const live = states.filter((s) => s.state !== "ended");
    if (live.length === 0) break;
    // Only once nothing else runs: tasks that cannot start would keep --wait waiting for ever.
    const stuck = live.filter((s) => s.cannotStart || s.held);
    if (stuck.length === live.length) {
      const recorded = (await doneClaims(store, sub.study)).length > 0;
      await executor.cancel(recorded ? stuck.map((s) => s.display) : [sub.job], environ).catch(() => undefined);
      if (!recorded) throw new InvalidInputError(cannotStartMessage(sub.job, stuck[0]!));
      hooks.onState?.(`${stuck.length} task(s) of job ${sub.job} cannot start (${stuck[0]!.reason}): cancelled, their trials not run`);
      break;
    }
    const pending = live.filter((s) => s.state === "pending");
    const text = `job ${sub.job}: ${live.length - pending.length} running, ${pending.length} pending${pending[0]?.reason ? ` (${pending[0].reason})` : ""}, ${sub.tasks - live.length} ended${sub.tasks !== sub.trials ? ` (of ${sub.tasks} workers)` : ""}`;
    if (text !== said) hooks.onState?.(text);
    said = text;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (sub.study.push) await hooks.pull?.(sub.study.push.url);
  const summary = await studySummary(store, await readStudy(sub.dir));
  const failures = unrecordedFailures(sub, executor, last, summary);
  for (const text of failures) hooks.onState?.(text);
  // Not "cancelled before they ran" (130): their worker failed.
  return failures.length > 0 && summary.exitCode === 130 ? { ...summary, exitCode: 1 } : summary;
}

/**
 * Grid tasks that ended in failure with no trial recorded (the worker itself failed: a node
 * without the command, a folder it cannot enter): otherwise the summary would only count
 * them as not run. Named with where their log is, since the reason is there.
 */
function unrecordedFailures(sub: Submission, executor: Executor, states: WorkState[], summary: RunSummary): string[] {
  if (sub.study.search) return [];
  const recorded = new Set(summary.outcomes.map((o) => o.index));
  return states
    .filter((s) => s.state === "ended" && !s.cancelled && s.detail !== "COMPLETED" && s.task !== undefined && !recorded.has(s.task))
    .map((s) => {
      const log = executor.logOf({ studyDir: sub.dir, sweep: sub.sweep, job: sub.job, task: s.task!, shared: !sub.study.push });
      return `task ${s.display} ended ${s.detail} without recording its trial: see ${log}${sub.study.push && s.node ? ` on ${s.node}` : ""}`;
    });
}

/**
 * A study's recorded trials. A --push study's claims are on the remote (each task pushed
 * its own with its experiment); only those whose experiment is here count.
 */
async function doneClaims(store: ExperimentStore, study: Study): Promise<Extract<Claim, { done: true }>[]> {
  if (!study.push) return (await listClaims(store.repo, study.sweep)).filter((c): c is Extract<Claim, { done: true }> => c.done);
  const prefix = `${CLAIM_REFS}${study.sweep}/`;
  const refs = await remoteRefs(store.repo, study.push.url, prefix);
  const here = new Set((await store.list()).refs.map((r) => r.id));
  return [...refs]
    .map(([ref, oid]) => ({ index: Number(ref.slice(prefix.length)), oid, done: true as const, experiment: oid }))
    .filter((c) => Number.isInteger(c.index) && here.has(c.experiment))
    .sort((a, b) => a.index - b.index);
}

function sweepParams(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return isJsonObject(v) && isJsonObject(v["params"]) ? v["params"] : undefined;
}

/** What a study's recorded trials say, in the shape of a local sweep's summary. */
async function studySummary(store: ExperimentStore, study: Study): Promise<RunSummary> {
  const outcomes: RunOutcome[] = [];
  for (const c of await doneClaims(store, study)) {
    const e = await store.read(c.experiment);
    outcomes.push({
      index: c.index,
      id: c.experiment,
      write: "created",
      status: e.meta.status,
      exitCode: e.meta.exit_code ?? -1,
      durationSeconds: e.meta.duration_s ?? 0,
      varying: sweepParams(e.meta["sweep"]) ?? study.points[c.index]?.varying ?? {},
      results: e.results,
      logTail: "",
      experiment: e,
    });
  }
  // a trial early termination stopped is not a failure, as in a local sweep
  const failed = outcomes.find((o) => o.exitCode !== 0 && o.experiment.meta["pruned"] === undefined);
  const notRun = study.size - outcomes.length;
  return { outcomes, notRun, exitCode: failed ? failed.exitCode : notRun > 0 ? 130 : 0 };
}

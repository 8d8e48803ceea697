import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvironmentError, InvalidInputError } from "../core/errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { studyId, type SweepSpec } from "../core/sweep-spec.js";
import { listClaims } from "../store/claims.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Executor, WorkState } from "./executors/executor.js";
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
      workerArgv: [...gitExpArgv(), "worker", dir],
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
    return { sweep, job: submitted.job, trials: study.size, tasks: search ? search.workers : plan.points.length, dir, study: done };
  } catch (e) {
    if (fresh) await rm(dir, { recursive: true, force: true });
    throw e;
  }
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
}

/**
 * Wait until every worker of the study's job has ended (polling the scheduler once a
 * second), then summarise as a local sweep does. A job that turns out unable to start is
 * cancelled and refused.
 */
export async function waitForStudy(store: ExperimentStore, sub: Submission, executor: Executor, environ: NodeJS.ProcessEnv, hooks: WaitHooks = {}): Promise<RunSummary> {
  let said = "";
  for (;;) {
    const states = await executor.states([sub.job], environ);
    const live = states.filter((s) => s.state !== "ended");
    if (live.length === 0) break;
    // Only once nothing else runs: tasks that cannot start would keep --wait waiting for ever.
    const stuck = live.filter((s) => s.cannotStart || s.held);
    if (stuck.length === live.length) {
      const recorded = (await listClaims(store.repo, sub.sweep)).some((c) => c.done);
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
  return studySummary(store, await readStudy(sub.dir));
}

function sweepParams(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return isJsonObject(v) && isJsonObject(v["params"]) ? v["params"] : undefined;
}

/** What a study's recorded trials say, in the shape of a local sweep's summary. */
async function studySummary(store: ExperimentStore, study: Study): Promise<RunSummary> {
  const claims = await listClaims(store.repo, study.sweep);
  const outcomes: RunOutcome[] = [];
  for (const c of claims) {
    if (!c.done) continue;
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

import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { CheckFailedError, EnvironmentError } from "../core/errors.js";
import type { Experiment, Status } from "../core/experiment.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { ChildRun } from "./child.js";
import { captureEnvironment } from "./environment.js";
import { captureSource } from "./git-state.js";
import type { RunPlan } from "./run-plan.js";
import { which } from "./which.js";

/** What the caller sees while a run goes on; the CLI renders it, a library caller may ignore it. */
export interface RunHooks {
  /** The child's output as it arrives; only called when one point runs at a time. */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** About once a second: the latest metrics of a running point. */
  onTick?: (p: PointProgress) => void;
  onPointEnd?: (outcome: RunOutcome, done: number, total: number) => void;
  onWarning?: (text: string) => void;
}

export interface PointProgress {
  index: number;
  total: number;
  elapsedSeconds: number;
  step: number | undefined;
  latest: Map<string, number | null>;
}

/** One recorded run. */
export interface RunOutcome {
  index: number;
  id: string;
  /** Whether the experiment was new or already recorded (same content). */
  write: "created" | "exists";
  status: Status;
  exitCode: number;
  durationSeconds: number;
  varying: Record<string, JsonValue>;
  results: JsonObject;
  /** The tail of log.txt when the run failed: what a user reads first. */
  logTail: string;
  /** The experiment as recorded. */
  experiment: Experiment;
}

/** Why a run was stopped, as the scheduler that stopped it says (recorded in experiment.json). */
export interface Interruption {
  by: string;
  reason: string;
  /** False when the scheduler runs the trial again (a requeue): nothing is recorded now. */
  record: boolean;
  /** experiment.json keys the stopper adds: a search's early termination records `pruned`. */
  meta?: JsonObject;
}

/** Passes signals to running children; the runs are then recorded as interrupted. */
export class RunController {
  interrupted: NodeJS.Signals | null = null;
  /** Set by whoever handles the signal when it can say why (a scheduler); awaited before recording. */
  why: Promise<Interruption | undefined> | undefined;
  private count = 0;
  private readonly running = new Set<ChildRun>();

  /**
   * `alreadyDelivered`: the terminal sent Ctrl-C to the child too (same process group),
   * so it is not sent twice. A third signal kills.
   */
  interrupt(signal: NodeJS.Signals, alreadyDelivered = false): void {
    this.interrupted ??= signal;
    this.count++;
    for (const r of this.running) {
      if (this.count >= 3) r.interrupt("SIGKILL");
      else if (!alreadyDelivered) r.interrupt(signal);
      else r.markInterrupted(signal);
    }
  }

  add(r: ChildRun): void {
    this.running.add(r);
    if (this.interrupted) r.interrupt(this.interrupted);
  }

  remove(r: ChildRun): void {
    this.running.delete(r);
  }

  /** Why the run was stopped, when someone could say: awaited before recording. */
  reason(): Promise<Interruption | undefined> | undefined {
    return this.why;
  }
}

/**
 * One trial's controller within a sweep or a scheduler's worker: it stops just that trial's
 * command (early termination), while the outer controller reaches it too (Ctrl-C, the
 * scheduler's SIGTERM) and says why when the trial has no reason of its own.
 */
export class TrialController extends RunController {
  private readonly own = new Set<ChildRun>();
  constructor(private readonly parent: RunController) {
    super();
  }
  override add(r: ChildRun): void {
    this.own.add(r);
    super.add(r);
    this.parent.add(r);
  }
  override remove(r: ChildRun): void {
    this.own.delete(r);
    super.remove(r);
    this.parent.remove(r);
  }
  override reason(): Promise<Interruption | undefined> | undefined {
    return this.why ?? this.parent.reason();
  }
  /**
   * SIGTERM to the trial's command, when it still runs, with `why` recorded; false when it has
   * already exited (it ran to its end: it is recorded as it ended).
   */
  stop(why: Interruption): boolean {
    let delivered = false;
    for (const r of this.own) delivered = r.interrupt("SIGTERM") || delivered;
    if (!delivered) return false;
    this.interrupted ??= "SIGTERM";
    // set in the tick the signal went, before the trial's recording asks why
    this.why = Promise.resolve(why);
    return true;
  }
}


/**
 * What every point of one plan shares: the store, the plan, the machine's environment
 * (probed once), the sweep's id. Made by startRun; runPoint takes it with one point's index
 * and folder, so a scheduler (in-process, a Slurm array task, a search sampler) runs points
 * its own way through the same code.
 */
export interface RunSession {
  store: ExperimentStore;
  plan: RunPlan;
  hooks: RunHooks;
  controller: RunController;
  env: JsonObject;
  nvidiaSmi: string | undefined;
  /** Shared by the points of one sweep; give the same id to every task of one sweep. */
  sweepId: string;
}

/** Refuse what needs the repository (--require-clean, an unwritable .git) and probe the machine once. */
export async function startRun(
  store: ExperimentStore,
  plan: RunPlan,
  hooks: RunHooks = {},
  controller = new RunController(),
  sweepId = plan.trial?.sweep.id ?? randomBytes(4).toString("hex"),
): Promise<RunSession> {
  const r = plan.request;
  await preflight(store, plan);
  const [envCapture, nvidiaSmi] = await Promise.all([
    captureEnvironment({
      environ: r.environ,
      cwd: r.cwd,
      cacheDir: store.repo.expDir,
      extraVariables: r.envNames,
      refresh: r.refreshEnv,
    }),
    which("nvidia-smi", r.environ, r.cwd),
  ]);
  // A scheduler's facts differ from task to task: added after the per-machine cache.
  const env = plan.trial ? { ...envCapture.env, ...plan.trial.env } : envCapture.env;
  return { store, plan, hooks, controller, env, nvidiaSmi, sweepId };
}

/** Refusals that need the repository: a dirty tree with --require-clean, an unwritable .git. */
export async function preflight(store: ExperimentStore, plan: RunPlan): Promise<void> {
  if (plan.request.requireClean) {
    const src = await captureSource(store.repo);
    if (src.dirty) {
      throw new CheckFailedError("the work tree has uncommitted changes to tracked files and --require-clean was given: commit or stash them first");
    }
  }
  try {
    await access(join(store.repo.gitDir, "objects"), constants.W_OK);
  } catch (e) {
    throw new EnvironmentError(`cannot write to ${store.repo.gitDir}: the run could not be recorded; check its permissions`, { cause: e });
  }
}

import type { JsonObject, JsonValue } from "../../core/json.js";
import type { Interruption } from "../run.js";

/**
 * A scheduler that runs a study's trials on other machines: Slurm today; Kubernetes indexed
 * Jobs or Ray would each be one more file implementing this. git-exp never schedules: it
 * hands the scheduler one job of `tasks` workers, each running `git exp worker STUDY`, and
 * the workers coordinate through create-only refs in the repository (store/claims.ts).
 */
export interface Executor {
  /** As `--on` names it, and as live records and claims remember it. */
  readonly name: string;
  /** gitexp.json's `"<name>": {...}` checked: the job options to pass by default. */
  defaults(value: JsonValue | undefined, file: string): JsonObject;
  /** Throws EnvironmentError (exit 4) when the scheduler's client is not here. */
  checkAvailable(environ: NodeJS.ProcessEnv, cwd: string): Promise<void>;
  /** Submit one job of `tasks` workers; throws InvalidInputError (exit 2) when the scheduler refuses it. */
  submit(job: JobRequest): Promise<Submitted>;
  /**
   * What the scheduler says of jobs or single workers, by the ids `submit` and `self` give:
   * one entry per worker (a job's pending tasks each have one). Ids it no longer knows are
   * left out: they ended long ago.
   */
  states(ids: string[], environ: NodeJS.ProcessEnv): Promise<WorkState[]>;
  /** Cancel jobs or single workers; the running ones end as the scheduler ends them (SIGTERM, then SIGKILL). */
  cancel(ids: string[], environ: NodeJS.ProcessEnv): Promise<void>;
  /** Inside a worker: who it is, or undefined when this process was not started by the scheduler. */
  self(environ: NodeJS.ProcessEnv): WorkerSelf | undefined;
  /**
   * Where a worker's output goes: a path (on the node that ran it, for a study the nodes
   * cannot read). `task` may be a placeholder ("<task>") to name them all.
   */
  logOf(log: { studyDir: string; sweep: string; job: string; task: number | string; shared: boolean }): string;
  /** Inside a worker that got SIGTERM: why the scheduler stops it. */
  whyStopped(self: WorkerSelf, environ: NodeJS.ProcessEnv): Promise<Interruption>;
}

export interface JobRequest {
  /** The study's folder (on the shared filesystem): its plan, the job script, the logs. */
  studyDir: string;
  sweepId: string;
  tasks: number;
  /** At most this many workers at once (undefined: as many as the scheduler allows). */
  atOnce: number | undefined;
  /** Where the workers start. */
  cwd: string;
  /** The command each worker runs (`git exp worker STUDY`), absolute paths. */
  workerArgv: string[];
  /**
   * The study as JSON, fed to the worker's stdin (`git exp worker --stdin`) when the nodes
   * cannot read the study folder (`--push`): the job then starts in the node's /tmp and
   * logs there too.
   */
  inlineStudy?: string;
  /** Options from gitexp.json, `{"partition": "gpu", "requeue": true}`, overridden by `args`. */
  defaults: JsonObject;
  /** The user's own scheduler options (`--slurm "..."`), passed as given. */
  args: string[];
  environ: NodeJS.ProcessEnv;
}

export interface Submitted {
  /** The scheduler's id of the job (Slurm: the array job id). */
  job: string;
  /** Scheduler options in force, for the record of the study. */
  script: string;
}

/** A job or worker as the scheduler sees it now. */
export interface WorkState {
  state: "pending" | "running" | "ended";
  /** Slurm's state name (PENDING, RUNNING, CANCELLED, FAILED, ...). */
  detail: string;
  /** Why a pending one waits (Slurm's reason). */
  reason?: string;
  /** Pending for a reason that will not go away by itself (a time limit above the partition's). */
  cannotStart?: boolean;
  /** Held: it starts only once someone releases it (Slurm: `scontrol release`). */
  held?: boolean;
  /** Ended because a user cancelled it: its claims are not taken again. */
  cancelled?: boolean;
  /** The worker's unique id (Slurm: the task's own job id; a pending task not yet split off has its array's). */
  id: string;
  /** As the scheduler shows it (Slurm: `<array job>_<task>`). */
  display: string;
  /** The array index, when the entry is one task of a job. */
  task?: number;
  node?: string;
}

/** A worker's own identity and what the scheduler tells it. */
export interface WorkerSelf {
  /** Unique per worker: what claims name and `states` takes (Slurm: SLURM_JOB_ID). */
  worker: string;
  /** The user-facing name of the worker (Slurm: `<array job>_<task>`). */
  display: string;
  /** The job this worker belongs to (Slurm: the array job id). */
  job: string;
  /** The worker's index in the job (Slurm: SLURM_ARRAY_TASK_ID). */
  task: number;
  /** How often the scheduler has started this worker before (Slurm: SLURM_RESTART_COUNT). */
  restarts: number;
  node: string;
  /** Facts for env.json, under the executor's name. */
  facts: JsonObject;
}

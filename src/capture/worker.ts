import { hostname } from "node:os";
import { InterruptedError, UsageError } from "../core/errors.js";
import { claimTrial, finishClaim, listClaims, takeOverClaim, type Claim, type Holder } from "../store/claims.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Executor, WorkerSelf } from "./executors/executor.js";
import { executorNamed } from "./executors/executors.js";
import type { Experiment } from "../core/experiment.js";
import type { JsonObject } from "../core/json.js";
import type { RunPlan } from "./run-plan.js";
import type { SweepPoint } from "./sweep.js";
import { RunController, runPlan, type RunHooks, type RunOutcome } from "./run.js";
import { readStudy, type Study } from "./study.js";

export interface WorkerResult {
  outcomes: RunOutcome[];
  /** The worker's exit code: its own trial's, as a local run's; 0 when there was nothing to run. */
  exitCode: number;
}

/**
 * One worker of a study a scheduler runs (`git exp worker STUDY`, the job script's only
 * line). It claims its own trial (its array index), runs it through the same run engine as
 * `git exp run`, and moves the claim to the experiment. Then it takes over trials whose
 * workers died mid-trial (killed, node lost: their job ended without recording), so none is
 * lost while a worker of the study still runs. A trial already recorded (a requeued job) or
 * held by a live worker is left alone.
 */
export async function runWorker(
  store: ExperimentStore,
  dir: string,
  environ: NodeJS.ProcessEnv,
  hooks: RunHooks,
  controller: RunController,
): Promise<WorkerResult> {
  const w = await TrialWorker.open(store, dir, environ, hooks, controller);
  const { study, self } = w;
  const outcomes: RunOutcome[] = [];
  let exitCode = 0;
  if (self.task < study.size) {
    const own = await w.acquire(self.task);
    if (own) {
      const o = await w.run(self.task, own);
      if (o) {
        outcomes.push(o);
        exitCode = o.exitCode;
      }
    }
  }
  for (;;) {
    if (controller.interrupted) break;
    const taken = await w.takeOverDead();
    if (!taken) break;
    const o = await w.run(taken.index, taken.oid);
    if (o) outcomes.push(o);
  }
  return { outcomes, exitCode };
}

/** Claims, takes over and runs a study's trials as one worker (the grid loop above, a search's loop in api/). */
export class TrialWorker {
  private readonly holder: Holder;

  /** The worker of this process, from the study folder and what the scheduler set in the environment. */
  static async open(store: ExperimentStore, dir: string, environ: NodeJS.ProcessEnv, hooks: RunHooks, controller: RunController): Promise<TrialWorker> {
    const study = await readStudy(dir);
    const executor = executorNamed(study.executor);
    const self = executor.self(environ);
    if (!self) throw new UsageError(`git exp worker runs inside a job that git exp run --on ${study.executor} submitted; this process is not one`);
    return new TrialWorker(store, study, executor, self, environ, hooks, controller);
  }

  constructor(
    private readonly store: ExperimentStore,
    readonly study: Study,
    private readonly executor: Executor,
    readonly self: WorkerSelf,
    private readonly environ: NodeJS.ProcessEnv,
    private readonly hooks: RunHooks,
    private readonly controller: RunController,
  ) {
    this.holder = {
      executor: executor.name,
      worker: self.worker,
      display: self.display,
      host: hostname(),
      pid: process.pid,
      restarts: self.restarts,
      at: new Date().toISOString(),
    };
  }

  /**
   * Claim a trial: the claim's id, or undefined when it is recorded already or a live worker
   * has it. `config` goes into the claim, so other workers' samplers see the trial running.
   */
  async acquire(index: number, config?: JsonObject): Promise<string | undefined> {
    const repo = this.store.repo;
    const holder: Holder = config ? { ...this.holder, config } : this.holder;
    const won = await claimTrial(repo, this.study.sweep, index, holder);
    if (won) return won;
    const current = (await listClaims(repo, this.study.sweep)).find((c) => c.index === index);
    if (!current || current.done) return undefined;
    // Our own earlier start (a requeued job keeps its id), or a worker that died: take it back.
    const mine = current.holder?.worker === this.self.worker;
    if (mine || (await this.dead([current])).has(index)) return takeOverClaim(repo, this.study.sweep, index, current.oid, holder);
    return undefined;
  }

  claims(): Promise<Claim[]> {
    return listClaims(this.store.repo, this.study.sweep);
  }

  /** The experiment a done claim names, read once per worker. */
  async experiment(id: string): Promise<Experiment> {
    let e = this.read.get(id);
    if (!e) this.read.set(id, (e = await this.store.read(id)));
    return e;
  }

  private readonly read = new Map<string, Experiment>();

  /** One trial whose worker is gone, now claimed by this one; undefined when there is none. */
  async takeOverDead(): Promise<{ index: number; oid: string } | undefined> {
    const repo = this.store.repo;
    const open = (await listClaims(repo, this.study.sweep)).filter((c) => !c.done && c.holder?.worker !== this.self.worker);
    const dead = await this.dead(open);
    for (const c of open) {
      if (!dead.has(c.index)) continue;
      const oid = await takeOverClaim(repo, this.study.sweep, c.index, c.oid, this.holder);
      if (oid) return { index: c.index, oid };
    }
    return undefined;
  }

  /**
   * The indexes of claims whose worker the scheduler says has ended, or no longer knows,
   * except workers a user cancelled: their trials stay cancelled.
   */
  async dead(claims: Claim[]): Promise<Set<number>> {
    const held = claims.filter((c): c is Extract<Claim, { done: false }> => !c.done && c.holder !== undefined);
    if (held.length === 0) return new Set();
    const states = await this.executor.states([...new Set(held.map((c) => c.holder!.worker))], this.environ);
    const byId = new Map(states.map((s) => [s.id, s]));
    const out = new Set<number>();
    for (const c of held) {
      const s = byId.get(c.holder!.worker);
      if (!s || (s.state === "ended" && !s.cancelled)) out.add(c.index);
    }
    return out;
  }

  /**
   * Run one claimed trial and move its claim to the experiment; undefined when a requeue cut it
   * short. A search's trial records the metric it optimises (`objective`).
   */
  async run(
    index: number,
    claim: string,
    point: SweepPoint = this.study.points[index]!,
    objective?: { metric: string; goal: string },
    controller: RunController = this.controller,
  ): Promise<RunOutcome | undefined> {
    const s = this.study;
    const plan: RunPlan = {
      request: { ...s.request, environ: this.environ, jobs: 1 },
      argv: s.argv,
      points: [point],
      jobs: 1,
      trial: {
        sweep: { id: s.sweep, index: index + 1, size: s.size, method: s.method, ...objective },
        env: { [this.executor.name]: this.self.facts },
        live: { host: this.holder.host, job: this.self.display, worker: this.self.worker, executor: this.executor.name },
      },
    };
    let outcome: RunOutcome | undefined;
    try {
      outcome = (await runPlan(this.store, plan, this.hooks, controller)).outcomes[0];
    } catch (e) {
      // Requeued: the same worker id starts again and takes its claim back.
      if (e instanceof InterruptedError) return undefined;
      throw e;
    }
    if (!outcome) return undefined;
    await finishClaim(this.store.repo, s.sweep, index, claim, outcome.id);
    return { ...outcome, index };
  }
}

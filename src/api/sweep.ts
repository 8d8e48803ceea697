import { InvalidInputError, UsageError } from "../core/errors.js";
import { flattenMetrics } from "../core/experiment.js";
import { getPath, type JsonObject } from "../core/json.js";
import { studyId, type SweepSpec } from "../core/sweep-spec.js";
import { trialsToStop, type PruneDecision, type TrialCurve } from "../analysis/pruning.js";
import { bestTrial, nextTrial, studySize, type StudyTrial } from "../analysis/study.js";
import type { IndexedTrial } from "../analysis/study-trials.js";
import { LiveMetrics, listLive } from "../capture/live.js";
import { cloneJson, setPath } from "../capture/params.js";
import { preflight, RunController, runPlan, TrialController, type RunHooks, type RunOutcome } from "../capture/run.js";
import { planRun, type RunPlan, type RunRequest } from "../capture/run-plan.js";
import { loadSweepFile } from "../capture/sweep-file.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { Workspace } from "./workspace.js";

/**
 * `git exp run --sweep FILE -- CMD`: a study run here, `jobs` trials at a time. Each trial
 * is asked of the study (nextTrial) from the trials already in the repository, whoever ran
 * them, and those this run finished; while trials run, early termination watches their
 * metric series through their live records (as `ls --running` does) and stops the ones it
 * names with SIGTERM. Every trial is recorded by the one run engine.
 */
export interface SweepRequest {
  spec: SweepSpec;
  plan: RunPlan;
  /** Overrides run_cap. */
  trials?: number;
  samplerSeed?: number;
  /**
   * The study's trials in the index now, less those whose ids are in `known` (the CLI opens
   * the index, reads, and closes it). Asked when the sweep starts and again before each
   * suggestion, so trials recorded meanwhile (by another process, or arrived with a pull)
   * count too.
   */
  readTrials: (studyId: string, known: ReadonlySet<string>) => Promise<IndexedTrial[]>;
  /** How often running trials are looked at for early termination, in ms. */
  pollMs?: number;
}

export interface TrialOutcome extends RunOutcome {
  trial: number;
  pruned?: PruneDecision;
}

export interface SweepSummary {
  studyId: string;
  method: SweepSpec["method"];
  metric?: SweepSpec["metric"];
  /** Trials the study had before this run. */
  before: number;
  size: number;
  outcomes: TrialOutcome[];
  stoppedEarly: number;
  failed: number;
  /** The best completed trial of the whole study (this run's and earlier ones). */
  best?: { id: string; index: number; value: number; config: JsonObject };
  exitCode: number;
}

/** `--sweep FILE` and its options, as `run` is given them. */
export interface SweepFileRequest {
  /** The W&B sweep file, as given (relative to the workspace's directory; errors name it so). */
  file: string;
  /** Trials in all (overrides run_cap). */
  trials?: number;
  /** Seeds the sampler, so the same results give the same trials. */
  samplerSeed?: number;
}

/** A sweep file read and checked with its options: the study it describes. */
export interface SweepStudy {
  spec: SweepSpec;
  /** The file, absolute, and as the user gave it. */
  file: string;
  shownAs: string;
  /** Trials in all (run_cap or `trials`). */
  size: number;
  trials?: number;
  samplerSeed?: number;
}

/**
 * The sweep file read and its options checked, before anything runs or is submitted; a
 * run's grid file (`gridFile`) is refused beside it. The one reading of `--sweep FILE` for
 * a study run here and one handed to a scheduler.
 */
export async function readSweepFile(ws: Workspace, req: SweepFileRequest, gridFile?: string): Promise<SweepStudy> {
  if (gridFile !== undefined) throw new UsageError("give --sweep FILE or --grid FILE, not both");
  const file = ws.path(req.file);
  const spec = await loadSweepFile(file, req.file);
  const seed = req.samplerSeed;
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) throw new UsageError(`--sampler-seed takes a whole number, 0 or more, not ${String(seed)}`);
  return { spec, file, shownAs: req.file, size: studySize(spec, req.trials), trials: req.trials, samplerSeed: seed };
}

/** With a sweep file, the file says what varies: the plan is one point, the base config. */
export function checkSweepBase(plan: RunPlan): void {
  if (plan.points.length > 1) throw new UsageError("with --sweep, the sweep file says what varies: give -p and --seed one value each (they set the base config)");
}

export interface SweepPlan {
  study: SweepStudy;
  plan: RunPlan;
}

/** `git exp run --sweep FILE`, first half: the sweep file and the run's options, every refusal before anything runs. */
export async function planSweep(ws: Workspace, req: SweepFileRequest & { run: Omit<RunRequest, "cwd" | "environ"> }): Promise<SweepPlan> {
  const study = await readSweepFile(ws, req, req.run.gridFile);
  const plan = await planRun({ ...req.run, cwd: ws.cwd, environ: ws.env });
  checkSweepBase(plan);
  return { study, plan };
}

/**
 * `git exp run --sweep FILE`: the planned study run here (`runSweep`), its trials read from
 * the workspace's index (opened when the study is first asked, not at start).
 */
export async function sweep(ws: Workspace, p: SweepPlan, hooks: RunHooks = {}, controller = new RunController()): Promise<SweepSummary> {
  const { spec, trials, samplerSeed } = p.study;
  const readTrials: SweepRequest["readTrials"] = async (id, known) => (await import("./sweeps.js")).trialsOf(ws, spec, id, known);
  return runSweep(await ws.store(), { spec, plan: p.plan, trials, samplerSeed, readTrials }, hooks, controller);
}

/**
 * Stop a trial early termination named: SIGTERM, recorded as interrupted with `pruned`. False
 * when its command exited while the rule looked (it completed: recorded as it ended).
 */
export function pruneTrial(controller: TrialController, d: PruneDecision): boolean {
  const pruned = { rule: d.rule, at_step: d.atStep };
  return controller.stop({ by: `early termination (${d.rule})`, reason: `below the cut-off at step ${d.atStep}`, record: true, meta: { pruned } });
}

interface Running {
  index: number;
  name: string;
  controller: TrialController;
  config: JsonObject;
  pruned?: PruneDecision;
}

export async function runSweep(store: ExperimentStore, req: SweepRequest, hooks: RunHooks = {}, controller = new RunController()): Promise<SweepSummary> {
  const { spec, plan } = req;
  const id = studyId(spec, plan.request.command);
  const size = studySize(spec, req.trials);
  await preflight(store, plan);
  const earlier = await req.readTrials(id, new Set());
  const finished: (StudyTrial & { id?: string; curve?: TrialCurve })[] = [...earlier];
  const seen = new Set(earlier.map((t) => t.id));
  const add = (t: StudyTrial & { id: string; curve?: TrialCurve }): void => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    finished.push(t);
  };
  // Before each suggestion, the trials recorded since: one read at a time, shared by the workers.
  let reading: Promise<void> | undefined;
  let readFailed = false;
  const refresh = (): Promise<void> =>
    (reading ??= req
      .readTrials(id, seen)
      .then((fresh) => fresh.forEach(add))
      .catch((e: unknown) => {
        // the index busy or broken: go on with what this sweep knows, and say so once
        if (!readFailed) hooks.onWarning?.(`could not read the study's new trials from the index (${e instanceof Error ? e.message : String(e)}); suggesting from those known`);
        readFailed = true;
      })
      .finally(() => {
        reading = undefined;
      }));
  const running = new Map<string, Running>();
  const outcomes: TrialOutcome[] = [];
  const base = plan.points[0]?.config ?? {};
  const options = { studyId: id, samplerSeed: req.samplerSeed, trials: req.trials };
  let metricError: InvalidInputError | undefined;
  const prefix = plan.request.name ?? `sweep-${id.slice(0, 8)}`;

  const worker = async (): Promise<void> => {
    while (!controller.interrupted && !metricError) {
      await refresh();
      if (controller.interrupted || metricError) return;
      const asked = [...finished, ...[...running.values()].map((r): StudyTrial => ({ index: r.index, state: "running", config: r.config, value: null }))];
      const t = nextTrial(spec, asked, options);
      if (!t) return;
      const config = cloneJson(base);
      for (const p of spec.params) setPath(config, p.path, cloneJson(getPath(t.config, p.path)!));
      const trial: Running = { index: t.index, name: `${prefix}-${t.index}`, controller: new TrialController(controller), config };
      running.set(trial.name, trial);
      // one trial is a plan of one point, run by the one run engine; its sweep block is the study's
      const trialPlan: RunPlan = {
        ...plan,
        points: [{ config, varying: t.varying }],
        // the engine names a trial <name>-<index>: trial.name
        request: { ...plan.request, name: prefix },
        trial: { sweep: sweepMeta(spec, id, t.index, size), env: {} },
      };
      let outcome: RunOutcome;
      try {
        const summary = await runPlan(store, trialPlan, { ...hooks, onPointEnd: undefined }, trial.controller);
        if (!summary.outcomes[0]) return;
        outcome = summary.outcomes[0];
      } finally {
        running.delete(trial.name);
      }
      const done: TrialOutcome = { ...outcome, index: t.index - 1, trial: t.index, pruned: trial.pruned };
      outcomes.push(done);
      const value = objective(spec, outcome.results);
      const state = trial.pruned && outcome.status === "interrupted" ? "pruned" : outcome.status === "completed" ? "completed" : outcome.status === "failed" ? "failed" : "interrupted";
      const curve = await curveOf(store, spec, outcome, state);
      add({ index: t.index, state, config, value, id: outcome.id, curve });
      hooks.onPointEnd?.(done, outcomes.length, size);
      // A metric the trials never log: say so after the first completed trial, not the hundredth.
      if (spec.metric && state === "completed" && value === null && !finished.some((f) => f.state === "completed" && f.value !== null)) {
        metricError = new InvalidInputError(
          `the sweep's metric ${spec.metric.name} is not among the results of trial ${t.index} (${Object.keys(Object.fromEntries(flattenMetrics(outcome.results))).join(", ") || "no metrics"}); ` +
            `check metric.name in the sweep file against what the command logs`,
        );
      }
    }
  };

  const watcher = spec.earlyTerminate && spec.metric ? watch(store, spec, running, finished, req.pollMs ?? 250) : undefined;
  try {
    await Promise.all(Array.from({ length: Math.max(1, plan.jobs) }, worker));
  } finally {
    await watcher?.stop();
  }
  if (metricError) throw metricError;
  const best = bestTrial(spec, finished);
  const failed = outcomes.filter((o) => o.status === "failed").length;
  return {
    studyId: id,
    method: spec.method,
    metric: spec.metric,
    before: earlier.length,
    size,
    outcomes,
    stoppedEarly: outcomes.filter((o) => o.pruned && o.status === "interrupted").length,
    failed,
    best: best && "id" in best && typeof best.id === "string" ? { id: best.id, index: best.index, value: best.value!, config: best.config } : undefined,
    exitCode: controller.interrupted ? 130 : 0,
  };
}

/** experiment.json's `sweep`: the study, the trial's index, the sampler, and what it optimises (for `git exp sweeps`). */
function sweepMeta(spec: SweepSpec, id: string, index: number, size: number): NonNullable<RunPlan["trial"]>["sweep"] {
  return { id, index, size, method: spec.method, ...objectiveOf(spec) };
}

/** What a search optimises, as its trials record it: here and on a cluster alike. */
export function objectiveOf(spec: SweepSpec): { metric: string; goal: string } | undefined {
  return spec.metric ? { metric: spec.metric.name, goal: spec.metric.goal } : undefined;
}

/** The sweep metric's final value in a trial's results; null when missing or not a number. */
function objective(spec: SweepSpec, results: JsonObject): number | null {
  if (!spec.metric) return null;
  const v = new Map(flattenMetrics(results)).get(spec.metric.name);
  return typeof v === "number" && !Number.isNaN(v) ? v : null;
}

/** A finished trial's metric series, read back from the recorded experiment: early termination compares with it. */
async function curveOf(store: ExperimentStore, spec: SweepSpec, o: RunOutcome, state: StudyTrial["state"]): Promise<TrialCurve> {
  const s = spec.earlyTerminate && spec.metric ? (await store.read(o.id)).series[spec.metric.name] : undefined;
  return {
    id: o.id,
    state: state === "completed" ? "completed" : "stopped",
    step: s ? [...s.step] : [],
    value: s ? s.value.map((v) => (v === null ? NaN : v)) : [],
  };
}

/**
 * Early termination: every `pollMs`, the running trials' metric series are read from their
 * live records' metrics files and judged with the finished ones; a trial the rule names is
 * marked pruned (recorded in experiment.json) and sent SIGTERM.
 */
function watch(
  store: ExperimentStore,
  spec: SweepSpec,
  running: Map<string, Running>,
  finished: { curve?: TrialCurve }[],
  pollMs: number,
): { stop: () => Promise<void> } {
  const metrics = new LiveMetrics();
  const metric = spec.metric!.name;
  const look = async (): Promise<void> => {
    const live = (await listLive(store.repo)).filter((r) => r.pid === process.pid && !r.ended_at && r.name !== undefined && running.has(r.name));
    const progress = await metrics.progress(live);
    const curves: TrialCurve[] = finished.map((f) => f.curve).filter((c): c is TrialCurve => c !== undefined);
    const byKey = new Map<string, Running>();
    for (const r of live) {
      const trial = running.get(r.name!);
      const s = progress.get(r.key)?.series[metric];
      if (!trial || trial.pruned || !s) continue;
      byKey.set(r.key, trial);
      curves.push({ id: r.key, state: "running", step: [...s.step], value: s.value.map((v) => (v === null ? NaN : v)) });
    }
    for (const d of trialsToStop(spec.earlyTerminate!, spec.metric!.goal, curves)) {
      const trial = byKey.get(d.id);
      if (trial && pruneTrial(trial.controller, d)) trial.pruned = d;
    }
  };
  return lookEvery(pollMs, look, () => metrics.close());
}

/**
 * Early termination's loop: `look` every `ms` (the next one once the last is done; one that
 * fails is skipped, the next tries again) until it returns true or `stop` is called, which
 * waits for a look under way and then runs `done`.
 */
export function lookEvery(ms: number, look: () => Promise<boolean | void>, done: () => Promise<void>): { stop: () => Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    pass = look()
      .then((enough) => {
        if (enough) stopped = true;
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ms);
      });
  };
  timer = setTimeout(tick, ms);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
      await done();
    },
  };
}


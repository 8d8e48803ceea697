import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { trialsToStop, type TrialCurve } from "../analysis/pruning.js";
import { nextTrial, type StudyTrial } from "../analysis/study.js";
import { flattenMetrics } from "../core/experiment.js";
import { getPath } from "../core/json.js";
import type { SweepSpec } from "../core/sweep-spec.js";
import { cloneJson, setPath } from "../capture/params.js";
import { LiveMetrics, listLive } from "../capture/live.js";
import { TrialController, type RunController, type RunHooks, type RunOutcome } from "../capture/run.js";
import { loadSweepFile } from "../capture/sweep-file.js";
import { TrialWorker, type WorkerResult } from "../capture/worker.js";
import type { Claim } from "../store/claims.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { lookEvery, objectiveOf, pruneTrial } from "./sweep.js";

/**
 * One worker of a search (`--sweep FILE`) a scheduler runs: it asks the study for its next
 * trial (nextTrial, the step every executor calls) from the trials the claims name, claims
 * that index with a create-only ref, runs it, and asks again until the study is done. Two
 * workers asking at once may be told the same index: one claim wins, the other asks again
 * and now sees that trial running. A claim whose worker is gone frees its index, and the next
 * worker to ask takes it over.
 */
export async function runSearchWorker(
  store: ExperimentStore,
  dir: string,
  environ: NodeJS.ProcessEnv,
  hooks: RunHooks,
  controller: RunController,
): Promise<WorkerResult> {
  const w = await TrialWorker.open(store, dir, environ, hooks, controller);
  const search = w.study.search!;
  const spec = await loadSweepFile(join(dir, search.file), search.shownAs);
  const base = w.study.points[0]?.config ?? {};
  const options = { studyId: w.study.sweep, samplerSeed: search.samplerSeed, trials: search.trials };
  const outcomes: RunOutcome[] = [];
  let exitCode = 0;
  while (!controller.interrupted) {
    const claims = await w.claims();
    const t = nextTrial(spec, await trialsOf(w, spec, claims), options);
    if (!t) break;
    const config = cloneJson(base);
    for (const p of spec.params) setPath(config, p.path, cloneJson(getPath(t.config, p.path)!));
    const claim = await w.acquire(t.index - 1, config);
    if (!claim) continue; // another worker took this index first: ask again
    const trial = new TrialController(controller);
    const judge = spec.earlyTerminate && spec.metric ? judgeOwnTrial(store, w, spec, dir, t.index, trial) : undefined;
    let o: RunOutcome | undefined;
    try {
      o = await w.run(t.index - 1, claim, { config, varying: t.varying }, objectiveOf(spec), trial);
    } finally {
      await judge?.stop();
    }
    if (!o) continue;
    outcomes.push(o);
    if (o.exitCode !== 0 && exitCode === 0) exitCode = o.exitCode;
  }
  return { outcomes, exitCode };
}

/** The study's trials as the sampler wants them: recorded ones with their objective, running ones, none for a dead claim (its index is free). */
async function trialsOf(w: TrialWorker, spec: SweepSpec, claims: Claim[]): Promise<StudyTrial[]> {
  const dead = await w.dead(claims);
  const out: StudyTrial[] = [];
  for (const c of claims) {
    const index = c.index + 1;
    if (!c.done) {
      if (!dead.has(c.index)) out.push({ index, state: "running", config: c.holder?.config ?? {}, value: null });
      continue;
    }
    const e = await w.experiment(c.experiment);
    const value = spec.metric ? (new Map(flattenMetrics(e.results)).get(spec.metric.name) ?? null) : null;
    const state = e.meta["pruned"] !== undefined ? "pruned" : e.meta.status === "completed" ? "completed" : e.meta.status === "failed" ? "failed" : "interrupted";
    // A trial Slurm interrupted was recorded; it is not run again (as a pruned one is not).
    out.push({ index, state: state === "interrupted" ? "failed" : state, config: e.config, value: Number.isNaN(value) ? null : value });
  }
  return out;
}

/** How often a worker judges its running trial against the rest of the study, in ms. */
const JUDGE_MS = 1000;

/**
 * Early termination across nodes. While its trial runs, a worker publishes the trial's curve
 * (the sweep metric's series so far) in the study folder, on the filesystem the nodes share,
 * and judges its own trial by the sweep's rule (`trialsToStop`, as a local sweep does) against
 * the curves the other workers published and the recorded trials' series. It stops only its own
 * trial, recorded as pruned; the other workers then read it among the recorded, as stopped.
 */
function judgeOwnTrial(store: ExperimentStore, w: TrialWorker, spec: SweepSpec, dir: string, index: number, trial: TrialController): { stop: () => Promise<void> } {
  const curves = join(dir, "curves");
  const mine = join(curves, `${index}.json`);
  const metrics = new LiveMetrics();
  const metric = spec.metric!.name;
  const look = async (): Promise<boolean> => {
    const own = (await listLive(store.repo)).find((r) => r.pid === process.pid && !r.ended_at);
    const s = own ? (await metrics.progress([own])).get(own.key)?.series[metric] : undefined;
    if (!s) return false;
    const curve: TrialCurve = { id: String(index), state: "running", step: [...s.step], value: s.value.map((v) => (v === null ? NaN : v)) };
    await mkdir(curves, { recursive: true });
    const tmp = `${mine}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(curve));
    await rename(tmp, mine);
    const recorded = await recordedCurves(w, spec);
    const seen = new Set(recorded.map((c) => c.id));
    const others = (await publishedCurves(curves)).filter((c) => c.id !== curve.id && !seen.has(c.id));
    const d = trialsToStop(spec.earlyTerminate!, spec.metric!.goal, [...recorded, ...others, curve]).find((x) => x.id === curve.id);
    return d !== undefined && pruneTrial(trial, d);
  };
  return lookEvery(JUDGE_MS, look, async () => {
    await metrics.close();
    await rm(mine, { force: true });
  });
}

/** The running trials' curves other workers published (a file being replaced is skipped this time). */
async function publishedCurves(curves: string): Promise<TrialCurve[]> {
  const out: TrialCurve[] = [];
  for (const name of await readdir(curves).catch(() => [] as string[])) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const c = JSON.parse(await readFile(join(curves, name), "utf8")) as { step: number[]; value: (number | null)[] };
      out.push({ id: name.slice(0, -5), state: "running", step: c.step, value: c.value.map((v) => (v === null ? NaN : v)) });
    } catch {
      // gone or half-replaced: the next look reads it
    }
  }
  return out;
}

/** The recorded trials' series of the sweep metric: completed ones set the bar; pruned, failed and interrupted ones say how far they got. */
async function recordedCurves(w: TrialWorker, spec: SweepSpec): Promise<TrialCurve[]> {
  const out: TrialCurve[] = [];
  for (const c of await w.claims()) {
    if (!c.done) continue;
    const e = await w.experiment(c.experiment);
    const s = e.series[spec.metric!.name];
    const completed = e.meta.status === "completed" && e.meta["pruned"] === undefined;
    out.push({ id: String(c.index + 1), state: completed ? "completed" : "stopped", step: s ? [...s.step] : [], value: s ? s.value.map((v) => (v === null ? NaN : v)) : [] });
  }
  return out;
}

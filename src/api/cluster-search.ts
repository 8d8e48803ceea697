import { join } from "node:path";
import { nextTrial, type StudyTrial } from "../analysis/study.js";
import { flattenMetrics } from "../core/experiment.js";
import { getPath } from "../core/json.js";
import type { SweepSpec } from "../core/sweep-spec.js";
import { cloneJson, setPath } from "../capture/params.js";
import type { RunController, RunHooks, RunOutcome } from "../capture/run.js";
import { loadSweepFile } from "../capture/sweep-file.js";
import { TrialWorker, type WorkerResult } from "../capture/worker.js";
import type { Claim } from "../store/claims.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { objectiveOf } from "./sweep.js";

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
    const o = await w.run(t.index - 1, claim, { config, varying: t.varying }, objectiveOf(spec));
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

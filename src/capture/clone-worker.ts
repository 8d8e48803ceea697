import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { EnvironmentError, UsageError } from "../core/errors.js";
import { CLAIM_REFS } from "../store/claims.js";
import { cloneForRun, pushRecorded, remoteRef } from "../store/clone.js";
import { ExperimentStore } from "../store/experiment-store.js";
import { push } from "../store/push.js";
import { executorNamed } from "./executors/executors.js";
import type { RunController, RunHooks } from "./run.js";
import { studyDir, writeStudy, type Study } from "./study.js";
import { runWorker, type WorkerResult } from "./worker.js";

/**
 * One task of a `--push` study: the nodes do not share the repository, so the task clones
 * the submitted code state into a fresh folder under `$TMPDIR`, runs its point there through
 * the same worker as a shared-repository task, pushes the experiment with its claim
 * (`refs/exp-claims/<sweep>/<index>`, create-only) in one atomic push, then its
 * annotations, and removes the clone.
 * A requeued task whose claim is on the remote already recorded its trial: it runs nothing.
 * When the push fails the clone is kept, and named, so nothing recorded is lost.
 */
export async function runCloneWorker(study: Study, environ: NodeJS.ProcessEnv, hooks: RunHooks, controller: RunController): Promise<WorkerResult> {
  const source = study.push;
  if (!source) throw new UsageError("worker --stdin takes a study submitted with --push");
  const self = executorNamed(study.executor).self(environ);
  if (!self) throw new UsageError(`git exp worker runs inside a job that git exp run --on ${study.executor} submitted; this process is not one`);
  const claim = `${CLAIM_REFS}${study.sweep}/${self.task}`;
  const top = await mkdtemp(join(environ["TMPDIR"] || tmpdir(), `git-exp-${study.sweep}-${self.task}-`));
  const here = join(top, "repo");
  let keep = false;
  let store: ExperimentStore | undefined;
  try {
    const repo = await cloneForRun(here, source, environ);
    if (await remoteRef(repo, source.url, claim)) {
      hooks.onWarning?.(`trial ${self.task + 1} of sweep ${study.sweep} is recorded on ${source.url} already (a requeued task); nothing to run`);
      return { outcomes: [], exitCode: 0 };
    }
    store = new ExperimentStore(repo);
    const dir = studyDir(repo, study.sweep);
    await writeStudy(dir, rebaseStudy(study, source.workTree, here));
    const result = await runWorker(store, dir, environ, hooks, controller);
    const ids = result.outcomes.map((o) => o.id);
    if (ids.length === 0) return result;
    keep = true;
    if (!(await pushRecorded(repo, source.url, ids, claim))) {
      keep = false;
      hooks.onWarning?.(`trial ${self.task + 1} of sweep ${study.sweep} was recorded on ${source.url} by an earlier run of this task (a requeued job): this run's experiment is left out`);
      return { outcomes: [], exitCode: result.exitCode };
    }
    // the annotations the run made (none, usually) follow the experiments, merged as push merges them
    await push(repo, { remote: source.url, ids });
    keep = false;
    return result;
  } catch (e) {
    if (keep && e instanceof Error && !e.message.includes(here)) {
      throw new EnvironmentError(`${e.message}; the recorded experiment is kept in ${here}: push it from there with 'git exp push ${source.url}'`, { cause: e });
    }
    throw e;
  } finally {
    // its git reader would keep the worker alive after the trial
    await store?.close();
    if (!keep) await rm(top, { recursive: true, force: true });
  }
}

/** The study with the submitter's work-tree paths (the command's folder, a script given by path) moved into the clone. */
export function rebaseStudy(study: Study, from: string, to: string): Study {
  const move = (v: string): string => (v === from ? to : v.startsWith(from + sep) ? to + v.slice(from.length) : v);
  const request = { ...study.request, cwd: move(study.request.cwd) };
  return { ...study, request, argv: study.argv.map(move) };
}

import { executorNamed } from "../capture/executors/executors.js";
import { RunController, type RunHooks } from "../capture/run.js";
import { runCloneWorker } from "../capture/clone-worker.js";
import { parseStudy, readStudy, type Study } from "../capture/study.js";
import { runWorker, type WorkerResult } from "../capture/worker.js";
import { UsageError } from "../core/errors.js";
import type { Workspace } from "./workspace.js";

export type { WorkerResult };

export interface WorkerRequest {
  /** The study's folder `run --on` wrote (relative to the workspace's directory). */
  study?: string;
  /** Instead of `study`: the study's JSON, as the job script of a `--push` study feeds it (`worker --stdin`). */
  studyText?: string;
  /** The command's output and warnings; the job's log takes them, as it would without git-exp. */
  hooks?: RunHooks;
  /**
   * Subscribes the worker to the signals that stop it (the scheduler's SIGTERM, Ctrl-C) and
   * returns the unsubscribe; the CLI passes the process's. The scheduler signals every process
   * of the job, the command too, so a worker the scheduler runs does not send it twice.
   */
  onSignal?: (stop: (signal: NodeJS.Signals) => void) => () => void;
}

export interface WorkerSummary extends WorkerResult {
  /** The study's sweep id. */
  sweep: string;
}

/**
 * `git exp worker STUDY`, the one line of a job script `run --on` submits: this worker's
 * trials of the study (its own array task, then any a dead worker left), or, for a search
 * (`--sweep FILE`), the study's next trials until it is done.
 */
export async function worker(ws: Workspace, req: WorkerRequest): Promise<WorkerSummary> {
  if (!req.study === (req.studyText === undefined)) throw new UsageError("worker takes the study's folder, or --stdin, as the job script names it");
  const dir = req.study ? ws.path(req.study) : undefined;
  const study: Study = dir ? await readStudy(dir) : parseStudy(req.studyText!, "the study on stdin");
  const executor = executorNamed(study.executor);
  const self = executor.self(ws.env);
  const controller = new RunController();
  const off = req.onSignal?.((sig) => {
    if (self && sig === "SIGTERM") controller.why ??= executor.whyStopped(self, ws.env).catch(() => undefined);
    controller.interrupt(sig, self !== undefined);
  });
  try {
    // a --push task runs where the node put it, with no repository until it clones one
    if (!dir) return { ...(await runCloneWorker(study, ws.env, req.hooks ?? {}, controller)), sweep: study.sweep };
    const store = await ws.store();
    const work = study.search ? (await import("./cluster-search.js")).runSearchWorker : runWorker;
    const result = await work(store, dir, ws.env, req.hooks ?? {}, controller);
    return { ...result, sweep: study.sweep };
  } finally {
    off?.();
  }
}

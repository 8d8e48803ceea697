import { executorNamed } from "../capture/executors/executors.js";
import { listStudies, readStudy, studyDir, type Study } from "../capture/study.js";
import { AmbiguousError, NotFoundError, UsageError } from "../core/errors.js";
import type { Repository } from "../store/repository.js";
import type { Workspace } from "./workspace.js";

export interface CancelRequest {
  /** A sweep id (or 4+ of its first characters), a job id, or one task of a job: `1234_5`. */
  what: string;
}

export interface Cancelled {
  /** The job, or one task of it, that was asked for. */
  target: string;
  /**
   * Whether the scheduler was told to cancel it; false when every worker of it had already
   * ended (or ended so long ago that the scheduler forgot it): nothing was cancelled.
   */
  cancelled: boolean;
  sweep: string;
  job: string | null;
}

/** `git exp cancel`: a sweep submitted with `run --on`, or one of its tasks, cancelled through the scheduler (scancel). */
export async function cancel(ws: Workspace, req: CancelRequest): Promise<Cancelled> {
  const { what } = req;
  if (!/^[0-9a-f]{4,}$/.test(what) && !/^\d+(_\d+)?$/.test(what)) {
    throw new UsageError(`cancel takes a sweep id (hex, 4+ characters), a job id or JOB_TASK (1234_5), not '${what}'`);
  }
  const { study, target } = await findTarget(await ws.repo(), what);
  const executor = executorNamed(study.executor);
  // scancel of an ended job says nothing and exits 0: ask first, so that it is not reported as cancelled.
  const states = await executor.states([target], ws.env);
  const cancelled = states.some((s) => s.state !== "ended");
  if (cancelled) await executor.cancel([target], ws.env);
  return { target, cancelled, sweep: study.sweep, job: study.job ?? null };
}

/** A sweep id (prefix), or one of the studies' job ids, alone or with a task: `1234`, `1234_5`. */
async function findTarget(repo: Repository, what: string): Promise<{ study: Study; target: string }> {
  const sweeps = await listStudies(repo);
  const studies = (await Promise.all(sweeps.map((s) => readStudy(studyDir(repo, s)).catch(() => undefined)))).filter((s): s is Study => s?.job !== undefined);
  const job = what.split("_")[0]!;
  const byJob = /^\d+(_\d+)?$/.test(what) ? studies.find((s) => s.job === job) : undefined;
  if (byJob) {
    const task = what.includes("_") ? Number(what.split("_")[1]) : undefined;
    if (task !== undefined && task >= byJob.size) throw new NotFoundError(`job ${job} (sweep ${byJob.sweep}) has tasks 0-${byJob.size - 1}, not ${task}`);
    return { study: byJob, target: what };
  }
  const bySweep = studies.filter((s) => s.sweep.startsWith(what));
  if (bySweep.length > 1) throw new AmbiguousError(what, bySweep.map((s) => s.sweep));
  const one = bySweep[0];
  if (!one) throw new NotFoundError(`no sweep or job '${what}' was submitted from this repository (git exp run --on slurm); see git exp ls --running`);
  return { study: one, target: one.job! };
}

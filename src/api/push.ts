import { NotFoundError, UsageError } from "../core/errors.js";
import type { PushSummary } from "../core/share-results.js";
import { push as pushRefs } from "../store/push.js";
import { resolveRemote } from "../store/remote.js";
import { annotationPolicy } from "./pull.js";
import type { Workspace } from "./workspace.js";

export type { PushSummary };

export interface PushRequest {
  /** A remote name, URL or path (default: the branch's remote, or origin). */
  remote?: string;
  /** Id prefixes, names or refs (default: every experiment); deleted ones may be named, so their delete travels. */
  experiments?: string[];
  /** Every experiment, said outright: refused with `experiments`. */
  all?: boolean;
}

/** `git exp push`: send experiments and annotations to a git remote, only what it lacks. */
export async function push(ws: Workspace, req: PushRequest = {}): Promise<PushSummary> {
  const specs = req.experiments ?? [];
  if (req.all && specs.length > 0) throw new UsageError("give experiments or --all, not both");
  const store = await ws.store();
  const remote = await checkRemote(ws, req.remote);
  let ids: string[] | undefined;
  if (specs.length > 0) {
    ids = await store.resolveAll(specs, { includeDeleted: true });
  }
  // the remote's newer annotations are merged before ours go out: judged as pull judges them
  return pushRefs(store.repo, { remote, ids: ids && [...new Set(ids)], policy: await annotationPolicy(store.repo, { nowMs: ws.now() }) });
}

/** A first argument that is an experiment rather than a remote gets a hint, not just "no remote". */
async function checkRemote(ws: Workspace, spec: string | undefined): Promise<string | undefined> {
  const repo = await ws.repo();
  try {
    await resolveRemote(repo, spec);
    return spec;
  } catch (e) {
    if (!(e instanceof NotFoundError) || spec === undefined) throw e;
    const isExperiment = await (await ws.store()).resolve(spec).then(
      () => true,
      () => false,
    );
    if (!isExperiment) throw e;
    throw new NotFoundError(`'${spec}' is an experiment, not a remote: name the remote first, as in 'git exp push origin ${spec}'`);
  }
}

import { treePath, type Experiment } from "../core/experiment.js";
import { hasArrived } from "../store/arrivals.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { gitIdentity } from "../store/identity.js";
import { recordedCommand } from "./rerun.js";

/** What `repro` would run for an experiment this clone did not record: shown before asking. */
export interface ForeignCommand {
  id: string;
  command: string[];
  commit: string | null;
  /** Where in the checkout of that commit it runs: "." for the top. */
  folder: string;
  /** Why it counts as someone else's. */
  why: string;
}

/**
 * Whether rerunning this experiment would run a command someone else chose: it came through
 * `pull` or `import`, or its created_by is not who this clone's git says you are (anyone can
 * write any name into an experiment, so an arrival counts whatever name it carries). Null
 * for an experiment recorded here. Refuses a command that is not a list of strings.
 */
export async function foreignCommand(store: ExperimentStore, id: string, exp: Experiment): Promise<ForeignCommand | null> {
  const command = recordedCommand(id, exp);
  const by = exp.meta.created_by;
  let why: string | null = null;
  if (await hasArrived(store.repo, id)) why = "it arrived through pull or import";
  else {
    const me = await gitIdentity(store.repo);
    if (by?.name !== me.name || by?.email !== me.email) why = `it was recorded by ${by?.name ?? "?"} <${by?.email ?? "?"}>, not by you (${me.name} <${me.email}>)`;
  }
  if (!why) return null;
  return { id, command, commit: exp.meta.source?.commit ?? null, folder: treePath(exp.meta.source?.path) ?? ".", why };
}

import { AmbiguousError, NotFoundError } from "../core/errors.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { EXPERIMENT_REFS } from "../store/refs.js";

/** A set of runs to treat as repeats of one another. */
export interface Group {
  /** How the user named it, for reports. */
  label: string;
  /** How the group was found. */
  kind: "config" | "name" | "ids";
  ids: string[];
}

/** A group from ids already chosen elsewhere (a filter, a script). */
export function groupOfIds(label: string, ids: string[]): Group {
  return { label, kind: "ids", ids: [...new Set(ids)] };
}

/**
 * A group named on the command line. Runs with the same config hash are repeats, so:
 * an experiment (id prefix, full ref) stands for every run of its config; a config hash
 * (prefix of 4+ hex) for every run of that config; a name for every run of that name.
 */
export async function resolveGroup(store: ExperimentStore, spec: string): Promise<Group> {
  const s = spec.trim();
  const { refs } = await store.list();
  const ids = refs.map((r) => r.id);
  const hashes = await store.configHashes(ids);
  const bare = s.startsWith(EXPERIMENT_REFS) ? s.slice(EXPERIMENT_REFS.length) : s;
  if (/^[0-9a-fA-F]{4,64}$/.test(bare)) {
    const lower = bare.toLowerCase();
    const byId = ids.filter((id) => id.startsWith(lower));
    const byConfig = [...new Set([...hashes.values()].filter((h) => h.startsWith(lower)))];
    if (byId.length > 1) throw new AmbiguousError(spec, byId.map((id) => id.slice(0, 12)));
    if (byConfig.length > 1) throw new AmbiguousError(spec, byConfig.map((h) => `config ${h.slice(0, 12)}`));
    const viaId = byId.length === 1 ? hashes.get(byId[0]!) : undefined;
    const config = viaId ?? byConfig[0];
    if (viaId && byConfig.length === 1 && byConfig[0] !== viaId) {
      throw new AmbiguousError(spec, [`experiment ${byId[0]!.slice(0, 12)}`, `config ${byConfig[0]!.slice(0, 12)}`]);
    }
    if (config) {
      const members = ids.filter((id) => hashes.get(id) === config);
      return { label: `config ${config.slice(0, 12)}`, kind: "config", ids: members };
    }
  }
  if (s.startsWith(EXPERIMENT_REFS)) throw new NotFoundError(`no experiment at ${s}; see 'git exp ls'`);
  const named = await store.findByName(s, refs);
  if (named.length > 0) return { label: `name ${s}`, kind: "name", ids: named };
  throw new NotFoundError(`'${spec}' is neither an experiment, a config hash nor a name of any run; see 'git exp ls'`);
}

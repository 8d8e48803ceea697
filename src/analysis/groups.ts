import { AmbiguousError, NotFoundError } from "../core/errors.js";
import { EXPERIMENT_REFS } from "../store/refs.js";
import type { Entry } from "./catalog.js";

/** A set of runs treated as repeats of one another. */
export interface Group {
  /** How the group was named, for reports. */
  label: string;
  entries: Entry[];
}

/** A group from entries chosen elsewhere (a filter's result, a script). */
export function groupOf(label: string, entries: Entry[]): Group {
  return { label, entries };
}

/**
 * A group named on the command line. Runs with the same config hash are repeats, so an
 * experiment (id prefix or ref) stands for every run of its config, a config hash (prefix of
 * 4+ hex) for every run of that config, and a name for every run of that name.
 */
export function resolveGroup(catalog: Entry[], spec: string): Group {
  const s = spec.trim();
  const bare = s.startsWith(EXPERIMENT_REFS) ? s.slice(EXPERIMENT_REFS.length) : s;
  if (/^[0-9a-fA-F]{4,64}$/.test(bare)) {
    const config = configByHex(catalog, spec, bare.toLowerCase());
    if (config !== undefined) {
      return { label: `config ${config.slice(0, 12)}`, entries: catalog.filter((e) => e.configHash === config) };
    }
  }
  if (s.startsWith(EXPERIMENT_REFS)) throw new NotFoundError(`no experiment at ${s}; see 'git exp ls'`);
  const named = catalog.filter((e) => e.name === s);
  if (named.length > 0) return { label: `name ${s}`, entries: named };
  throw new NotFoundError(`'${spec}' names no experiment, config hash or run name; see 'git exp ls'`);
}

/** The config a hex spec means: through an experiment id prefix or a config hash prefix. */
function configByHex(catalog: Entry[], spec: string, hex: string): string | undefined {
  const byId = catalog.filter((e) => e.id.startsWith(hex));
  if (byId.length > 1) throw new AmbiguousError(spec, byId.map((e) => e.id.slice(0, 12)));
  const configs = [...new Set(catalog.map((e) => e.configHash).filter((h) => h.startsWith(hex)))];
  if (configs.length > 1) throw new AmbiguousError(spec, configs.map((h) => `config ${h.slice(0, 12)}`));
  const viaId = byId[0]?.configHash;
  if (viaId !== undefined && configs.length === 1 && configs[0] !== viaId) {
    throw new AmbiguousError(spec, [`experiment ${byId[0]!.id.slice(0, 12)}`, `config ${configs[0]!.slice(0, 12)}`]);
  }
  return viaId ?? configs[0];
}

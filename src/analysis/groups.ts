import { isIdPrefix, shortId } from "../core/ids.js";
import { AmbiguousError, NotFoundError } from "../core/errors.js";
import { EXPERIMENT_REFS } from "../store/refs.js";
import type { Entry } from "../core/catalog-entry.js";

/** A set of runs treated as repeats of one another. */
export interface Group {
  /** How the group was named, for reports. */
  label: string;
  entries: Entry[];
  /** Reruns made by `repro` that share the group's config but were left out of it. */
  rerunsLeftOut?: number;
}

/** A group from entries chosen elsewhere (a filter's result, a script). */
export function groupOf(label: string, entries: Entry[]): Group {
  return { label, entries };
}

/**
 * A group named on the command line. Repeats (configs equal but for the repeat keys, such
 * as seed) are one group, so an experiment (id prefix or ref) stands for every repeat of its
 * config, a config hash (prefix of 4+ hex) likewise, and a name for every run of that name
 * and their repeats (when the runs of the name are repeats of one config; else just them).
 * Reruns made by `repro` repeat a run, not a seed: they are left out (and counted) unless
 * named themselves.
 */
export function resolveGroup(catalog: Entry[], spec: string): Group {
  const s = spec.trim();
  const bare = s.startsWith(EXPERIMENT_REFS) ? s.slice(EXPERIMENT_REFS.length) : s;
  if (isIdPrefix(bare)) {
    const config = configByHex(catalog, spec, bare.toLowerCase());
    if (config !== undefined) {
      const chosen = catalog.filter((e) => e.configHash === config);
      return repeatsOf(`config ${shortId(config)}`, catalog, chosen.filter((e) => e.id.startsWith(bare.toLowerCase())), chosen);
    }
  }
  if (s.startsWith(EXPERIMENT_REFS)) throw new NotFoundError(`no experiment at ${s}; see 'git exp ls'`);
  const named = catalog.filter((e) => e.name === s);
  if (named.length > 0) return repeatsOf(`name ${s}`, catalog, named, named);
  throw new NotFoundError(`'${spec}' names no experiment, config hash or run name; see 'git exp ls'`);
}

/** `chosen` and their repeats when they are all of one group; `named` are kept even if reruns. */
function repeatsOf(label: string, catalog: Entry[], named: Entry[], chosen: Entry[]): Group {
  const keys = new Set(chosen.map((e) => e.groupKey));
  if (keys.size !== 1) return { label, entries: chosen };
  const key = [...keys][0]!;
  const all = catalog.filter((e) => e.groupKey === key);
  const keep = all.filter((e) => e.reproduces === null || named.includes(e));
  return { label, entries: keep, rerunsLeftOut: all.length - keep.length };
}

/** The config a hex spec means: through an experiment id prefix or a config hash prefix. */
function configByHex(catalog: Entry[], spec: string, hex: string): string | undefined {
  const byId = catalog.filter((e) => e.id.startsWith(hex));
  if (byId.length > 1) throw new AmbiguousError(spec, byId.map((e) => shortId(e.id)));
  const configs = [...new Set(catalog.map((e) => e.configHash).filter((h) => h.startsWith(hex)))];
  if (configs.length > 1) throw new AmbiguousError(spec, configs.map((h) => `config ${shortId(h)}`));
  const viaId = byId[0]?.configHash;
  if (viaId !== undefined && configs.length === 1 && configs[0] !== viaId) {
    throw new AmbiguousError(spec, [`experiment ${shortId(byId[0]!.id)}`, `config ${shortId(configs[0]!)}`]);
  }
  return viaId ?? configs[0];
}

/** Experiment ids: full commit ids (40 hex in SHA-1 repositories, 64 in SHA-256 ones), shown short. */

const FULL_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const ID_PREFIX = /^[0-9a-fA-F]{4,64}$/;

/** A full experiment (commit) id, lower-case hex as git writes it. */
export function isFullId(s: string): boolean {
  return FULL_ID.test(s);
}

/** What may name an experiment by its id's start: 4 to 64 hex digits, either case. */
export function isIdPrefix(s: string): boolean {
  return ID_PREFIX.test(s);
}

/** The 12 characters people see (git's own short ids grow; 12 stay unique in repositories of millions of objects). */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

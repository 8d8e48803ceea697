import { NOTES_REF } from "../core/annotations.js";
import { UsageError } from "../core/errors.js";
import type { InitSummary } from "../core/share-results.js";
import { runGit, GitCommandError } from "./git.js";
import { notesFetchRefspec } from "./notes-sync.js";
import { experimentsFetchRefspec } from "./pull.js";
import { EXPERIMENT_REFS } from "./refs.js";
import { resolveRemote } from "./remote.js";
import type { Repository } from "./repository.js";


/** Marks that init added the `HEAD` push refspec, so --undo removes only what init added. */
const HEAD_MARK = "gitexpPushHead";

/**
 * Configure a remote so a plain `git fetch` and `git push` carry experiments and
 * annotations too. Fetched experiments land in quarantine (refs/exp-incoming/<remote>/),
 * never straight in refs/experiments: `git exp pull` checks and promotes them. Idempotent;
 * `undo` removes exactly what it added.
 */
export async function initRemote(repo: Repository, spec: string | undefined, options: { undo?: boolean } = {}): Promise<InitSummary> {
  const remote = await resolveRemote(repo, spec);
  if (remote.name === null) {
    throw new UsageError(`init configures a named remote; add one with 'git remote add NAME ${remote.target}' first`);
  }
  const name = remote.name;
  const wanted = {
    fetch: [experimentsFetchRefspec(remote), notesFetchRefspec(remote)],
    push: [`${EXPERIMENT_REFS}*:${EXPERIMENT_REFS}*`, `${NOTES_REF}*:${NOTES_REF}*`],
  };
  const summary: InitSummary = { remote: name, added: [], removed: [] };
  for (const kind of ["fetch", "push"] as const) {
    const key = `remote.${name}.${kind}`;
    const current = await getAll(repo, key);
    if (!options.undo && kind === "push" && current.length === 0) {
      // With any push refspec configured, a bare `git push` pushes only those: keep the branch going too.
      await configAdd(repo, key, "HEAD", summary.added);
      await config(repo, ["config", `remote.${name}.${HEAD_MARK}`, "true"]);
    }
    for (const value of wanted[kind]) {
      if (options.undo && current.includes(value)) await configUnset(repo, key, value, summary.removed);
      if (!options.undo && !current.includes(value)) await configAdd(repo, key, value, summary.added);
    }
  }
  if (options.undo && (await getAll(repo, `remote.${name}.${HEAD_MARK}`)).includes("true")) {
    await configUnset(repo, `remote.${name}.push`, "HEAD", summary.removed);
    await config(repo, ["config", "--unset-all", `remote.${name}.${HEAD_MARK}`]);
  }
  return summary;
}

/**
 * The refs git-exp writes, as git's log options take patterns: every experiment is a commit,
 * so `git log --all --decorate` and GUI clients would show them all.
 */
const LOG_HIDDEN_REFS = [`${EXPERIMENT_REFS}*`, "refs/exp-incoming/*", `${NOTES_REF}*`];

/** Whether log.excludeDecoration already hides every one of LOG_HIDDEN_REFS. */
export async function hiddenFromLog(repo: Repository): Promise<boolean> {
  const current = await getAll(repo, "log.excludeDecoration");
  return LOG_HIDDEN_REFS.every((p) => current.includes(p));
}

/**
 * `git exp init --hide`: log.excludeDecoration in the repository's config, so `git log
 * --decorate` and clients that honour it leave the experiment refs out (`--all` still walks
 * them: `git log --exclude='refs/experiments/*' --all` leaves them out there). Idempotent.
 */
export async function hideFromLog(repo: Repository, summary: InitSummary, options: { undo?: boolean } = {}): Promise<void> {
  const key = "log.excludeDecoration";
  const current = await getAll(repo, key);
  for (const pattern of LOG_HIDDEN_REFS) {
    if (options.undo && current.includes(pattern)) await configUnset(repo, key, pattern, summary.removed);
    if (!options.undo && !current.includes(pattern)) await configAdd(repo, key, pattern, summary.added);
  }
}

async function getAll(repo: Repository, key: string): Promise<string[]> {
  const r = await runGit(["config", "--get-all", key], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").split("\n").filter(Boolean) : [];
}

async function config(repo: Repository, args: string[]): Promise<void> {
  const r = await runGit(args, { cwd: repo.cwd, env: repo.env });
  if (r.code !== 0) throw new GitCommandError(args, r);
}

async function configAdd(repo: Repository, key: string, value: string, log: string[]): Promise<void> {
  await config(repo, ["config", "--add", key, value]);
  log.push(`${key} ${value}`);
}

async function configUnset(repo: Repository, key: string, value: string, log: string[]): Promise<void> {
  await config(repo, ["config", "--fixed-value", "--unset-all", key, value]);
  log.push(`${key} ${value}`);
}

import { isAbsolute, resolve } from "node:path";
import { EnvironmentError, InvalidInputError } from "../core/errors.js";
import type { Person } from "../core/experiment.js";
import { GitCommandError, runGit } from "./git.js";
import { isUrl, resolveRemote, transportError, type Remote } from "./remote.js";
import { gitOptions, openRepository, type Repository } from "./repository.js";
import { EXPERIMENT_REFS } from "./refs.js";
import { gitPush, lsRemote } from "./transport.js";

/**
 * What a node without the submitter's repository needs to rebuild its code state: where to
 * clone from, the commit and branch, the uncommitted changes to tracked files, and who
 * records (the node's own git config is not the user's).
 */
export interface CloneSource {
  url: string;
  commit: string;
  branch: string | null;
  /** `git diff HEAD --binary` of the submitter's tree, base64 (the study is JSON; a patch need not be UTF-8); "" when clean. */
  patchBase64: string;
  identity: Person;
}

/** The URL every node clones from: a configured remote's own URL, or the URL or path given (made absolute). */
export async function remoteUrl(repo: Repository, spec: string): Promise<string> {
  const remote = await resolveRemote(repo, spec);
  if (remote.name === null) return remote.target;
  const r = await runGit(["remote", "get-url", remote.name], gitOptions(repo));
  if (r.code !== 0) throw new GitCommandError(["remote", "get-url", remote.name], r);
  const url = r.stdout.toString("utf8").trim();
  // a remote set up with a relative path means something else on a node
  return isUrl(url) || isAbsolute(url) ? url : resolve(repo.cwd, url);
}

/**
 * Whether the remote has `commit`: some branch or tag it advertises contains it. Only tips
 * this clone knows can be asked about, so a commit the remote has only behind tips we never
 * fetched reads as absent: the user is told to push, which is harmless.
 */
export async function remoteHasCommit(repo: Repository, url: string, commit: string): Promise<boolean> {
  const refs = await advertised(repo, url, "refs/*");
  const tips = [...new Set(refs.values())];
  if (tips.includes(commit)) return true;
  const known = await knownObjects(repo, tips);
  if (known.length === 0) return false;
  const r = await runGit(["rev-list", "--max-count=1", commit, "--not", "--stdin"], gitOptions(repo, { input: known.join("\n") + "\n" }));
  return r.code === 0 && r.stdout.toString("utf8").trim() === "";
}

async function knownObjects(repo: Repository, oids: string[]): Promise<string[]> {
  if (oids.length === 0) return [];
  const r = await runGit(["cat-file", "--batch-check=%(objectname) %(objecttype)"], gitOptions(repo, { input: oids.join("\n") + "\n" }));
  return r.stdout
    .toString("utf8")
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([, type]) => type === "commit" || type === "tag")
    .map(([oid]) => oid!);
}

/**
 * A fresh clone at `dir` in the source's code state: the commit checked out on the source's
 * branch, the uncommitted changes applied (and staged, so files the patch adds count as
 * tracked, as they were), the submitter's identity set. The run engine then captures the same
 * commit and patch the submitter's tree had.
 */
export async function cloneForRun(dir: string, source: CloneSource, environ: NodeJS.ProcessEnv): Promise<Repository> {
  const env = { ...environ, GIT_TERMINAL_PROMPT: "0" };
  const step = async (args: string[], cwd: string, input?: Uint8Array): Promise<void> => {
    const r = await runGit(args, { cwd, env, input });
    if (r.code !== 0) throw new EnvironmentError(`could not rebuild the submitted code state in ${dir}: git ${args[0]} failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
  };
  await step(["clone", "--quiet", "--no-checkout", source.url, dir], resolve(dir, ".."));
  const has = await runGit(["cat-file", "-e", `${source.commit}^{commit}`], { cwd: dir, env });
  if (has.code !== 0) await step(["fetch", "--quiet", "--no-tags", "origin", source.commit], dir);
  await step(source.branch ? ["checkout", "--quiet", "-B", source.branch, source.commit] : ["checkout", "--quiet", "--detach", source.commit], dir);
  await step(["config", "user.name", source.identity.name], dir);
  await step(["config", "user.email", source.identity.email], dir);
  if (source.patchBase64 !== "") await step(["apply", "--index", "--binary", "--whitespace=nowarn"], dir, Buffer.from(source.patchBase64, "base64"));
  return openRepository(dir, environ);
}

/** The object a remote's ref names, or undefined when it has no such ref. */
export async function remoteRef(repo: Repository, url: string, ref: string): Promise<string | undefined> {
  return (await advertised(repo, url, ref)).get(ref);
}

/** The remote's refs under a prefix (`refs/exp-claims/<sweep>/`), ref name to object id. */
export function remoteRefs(repo: Repository, url: string, prefix: string): Promise<Map<string, string>> {
  return advertised(repo, url, `${prefix}*`);
}

/** What the remote advertises matching `pattern`; an unreachable remote is a transport error. */
async function advertised(repo: Repository, url: string, pattern: string): Promise<Map<string, string>> {
  const { result, refs } = await lsRemote(repo, url, pattern);
  if (result.code !== 0) throw transportError("read", urlRemote(url), result.stderr);
  return refs;
}

/** A URL as the Remote that transport errors name. */
function urlRemote(url: string): Remote {
  return { target: url, name: null, label: "" };
}

/**
 * Experiments and the claim that names their trial recorded, in one atomic push: all land or
 * none does. The claim is create-only (git's push without force refuses to replace a ref
 * with an unrelated object), so false when the remote has it already: another run of the
 * same task (a requeued job) recorded the trial first, and these experiments stay out.
 */
export async function pushRecorded(repo: Repository, url: string, ids: string[], claim: string): Promise<boolean> {
  const refs = [...ids.map((id) => `${EXPERIMENT_REFS}${id}`), claim];
  const { result, status } = await gitPush(repo, url, refs.map((r) => `${r}:${r}`), ["--atomic"]);
  if (status.size === 0) throw transportError("push to", urlRemote(url), result.stderr);
  const c = status.get(claim);
  if (c?.flag === "!" && /already exists|non-fast-forward|fetch first|stale info/.test(c.summary)) return false;
  const refused = [...status].find(([, s]) => s.flag === "!");
  if (refused) throw new InvalidInputError(`${url} refused ${refused[0]}: ${refused[1].summary}; nothing of this trial was pushed`);
  return true;
}

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { EnvironmentError, NotFoundError, UsageError } from "../core/errors.js";
import { runGit } from "./git.js";
import type { Repository } from "./repository.js";

/** Where experiments go to and come from: a configured remote, or a URL or path given once. */
export interface Remote {
  /** What `git push` / `git fetch` are given: the remote's name, or the URL. */
  target: string;
  /** The configured remote's name, or null for a bare URL or path. */
  name: string | null;
  /** A ref-safe label for the quarantine namespace refs/exp-incoming/<label>/. */
  label: string;
}

export const INCOMING_REFS = "refs/exp-incoming/";

export async function remoteNames(repo: Repository): Promise<string[]> {
  const r = await runGit(["remote"], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").split("\n").filter(Boolean) : [];
}

/** A URL git reaches (scheme:..., user@host:path), not a local path. */
export function isUrl(spec: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(spec) || /^[^/]+@[^/]+:/.test(spec);
}

function looksLikeUrl(spec: string, cwd: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^[^/]+@[^/]+:/.test(spec) || existsSync(isAbsolute(spec) ? spec : resolve(cwd, spec));
}

/**
 * Why `spec` names nothing: a path or URL (it has a '/' or ':', or ends in .git) that leads
 * nowhere is not offered as the name of a remote to add.
 */
function notARemote(spec: string, cwd: string, names: string[]): string {
  const remotes = names.length ? `remotes: ${names.join(", ")}` : "this repository has no remote";
  // As git reads it: a colon before any slash makes host:path, else it is a local path.
  if (/^[^/]*:/.test(spec)) {
    return `'${spec}' is not a remote's name, a path that exists or a URL git exp reaches (scheme://host/path, user@host:path); give one of those (${remotes})`;
  }
  if (spec.includes("/") || spec.endsWith(".git")) {
    return `no repository at ${spec}: ${resolve(cwd, spec)} does not exist; give the path of an existing repository, a URL, or a remote's name (${remotes})`;
  }
  return `no remote named '${spec}' (${remotes}); add one with 'git remote add ${spec} URL', or give a URL or path`;
}

/**
 * The remote to use: the one named, or else the current branch's remote, `origin`, or the
 * only remote. A name that is neither a remote nor a URL or path is NotFoundError.
 */
export async function resolveRemote(repo: Repository, spec?: string): Promise<Remote> {
  const names = await remoteNames(repo);
  if (spec !== undefined) {
    if (spec === "" || spec.startsWith("-")) throw new UsageError(`'${spec}' is not a remote name, URL or path`);
    if (names.includes(spec)) return { target: spec, name: spec, label: spec };
    if (looksLikeUrl(spec, repo.cwd)) {
      const target = isUrl(spec) ? spec : resolve(repo.cwd, spec);
      return { target, name: null, label: `url-${createHash("sha1").update(target).digest("hex").slice(0, 12)}` };
    }
    throw new NotFoundError(notARemote(spec, repo.cwd, names));
  }
  const chosen = (await upstreamRemote(repo, names)) ?? (names.includes("origin") ? "origin" : names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) {
    throw new NotFoundError(
      names.length === 0
        ? "this repository has no remote: add one with 'git remote add origin URL', or give a URL or path"
        : `several remotes (${names.join(", ")}) and none is the current branch's: name one`,
    );
  }
  return { target: chosen, name: chosen, label: chosen };
}

async function upstreamRemote(repo: Repository, names: string[]): Promise<string | undefined> {
  const head = await runGit(["symbolic-ref", "-q", "--short", "HEAD"], { cwd: repo.cwd, env: repo.env });
  if (head.code !== 0) return undefined;
  const r = await runGit(["config", "--get", `branch.${head.stdout.toString("utf8").trim()}.remote`], { cwd: repo.cwd, env: repo.env });
  const name = r.stdout.toString("utf8").trim();
  return r.code === 0 && names.includes(name) ? name : undefined;
}

/** A transport failure (unreachable, not a repository, authentication) as a clear error. */
export function transportError(action: string, remote: Remote, stderr: string): EnvironmentError {
  const detail = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("hint:"))
    .join("; ");
  return new EnvironmentError(`could not ${action} ${remote.target}: ${detail || "git failed"}; nothing was changed here`);
}

import { execFileSync } from "node:child_process";
import { canonicalJson } from "../../src/core/json.js";
import { TEST_ENV } from "./repo.js";

/**
 * Experiments as a hostile or careless writer makes them, with nothing but git plumbing
 * (hash-object, mktree, commit-tree, update-ref): canonical, so only what a test means to
 * break is broken, with the author, date and message the format derives from the content.
 */
export interface Forged {
  experiment?: Record<string, unknown>;
  config: Record<string, unknown> | string;
  results?: Record<string, unknown> | string;
  /** Other files, by path (series/loss.json, log.txt, ...): text or bytes as given. */
  files?: Record<string, string | Buffer>;
  /** The source commit, as parent and in experiment.source. */
  parent?: string;
}

export const FORGER = { name: "Mallory", email: "mallory@example.org" };

function gitIn(cwd: string, args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd, input, env: { ...process.env, ...TEST_ENV, ...env }, encoding: "utf8", maxBuffer: 1 << 30 }).trim();
}

const text = (v: Record<string, unknown> | string): string => (typeof v === "string" ? v : canonicalJson(v));

/** A tree of `files` (slash paths), folders made with mktree; returns the tree id. */
function writeTree(cwd: string, files: Map<string, string | Buffer>): string {
  const here: string[] = [];
  const folders = new Map<string, Map<string, string | Buffer>>();
  for (const [path, data] of files) {
    const slash = path.indexOf("/");
    if (slash < 0) {
      here.push(`100644 blob ${gitIn(cwd, ["hash-object", "-w", "--stdin"], data)}\t${path}`);
      continue;
    }
    const dir = path.slice(0, slash);
    if (!folders.has(dir)) folders.set(dir, new Map());
    folders.get(dir)!.set(path.slice(slash + 1), data);
  }
  for (const [dir, sub] of folders) here.push(`040000 tree ${writeTree(cwd, sub)}\t${dir}`);
  return gitIn(cwd, ["mktree"], here.join("\n") + "\n");
}

/** Writes the experiment's objects and its ref refs/experiments/<id> in `cwd`; returns the id. */
export function forgeExperiment(cwd: string, f: Forged): string {
  const meta: Record<string, unknown> = {
    schema: 1,
    created_at: "2026-03-01T08:00:00.000Z",
    created_by: FORGER,
    status: "completed",
    ...(f.parent ? { source: { commit: f.parent, branch: "main", dirty: false } } : {}),
    ...f.experiment,
  };
  const config = text(f.config);
  const files = new Map<string, string | Buffer>([
    ["experiment.json", canonicalJson(meta)],
    ["config.json", config],
    ["results.json", text(f.results ?? { acc: 0.5 })],
    ...Object.entries(f.files ?? {}),
  ]);
  const tree = writeTree(cwd, files);
  const configBlob = gitIn(cwd, ["hash-object", "--stdin"], config);
  const by = meta["created_by"] as { name: string; email: string };
  const date = `@${Math.floor(Date.parse(String(meta["created_at"])) / 1000)} +0000`;
  const title = typeof meta["name"] === "string" ? meta["name"] : configBlob.slice(0, 12);
  const commit = gitIn(cwd, ["commit-tree", tree, ...(f.parent ? ["-p", f.parent] : []), "-F", "-"], `exp: ${title}\n\nConfig: ${configBlob}\n`, {
    GIT_AUTHOR_NAME: by.name,
    GIT_AUTHOR_EMAIL: by.email,
    GIT_COMMITTER_NAME: by.name,
    GIT_COMMITTER_EMAIL: by.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  gitIn(cwd, ["update-ref", `refs/experiments/${commit}`, commit]);
  return commit;
}

/** A flat config of `n` numeric keys, as canonical text (sorted: zero-padded names). */
export function wideConfig(n: number): string {
  const width = String(n).length;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`"k${String(i).padStart(width, "0")}":${i % 97}`);
  return `{${parts.join(",")}}\n`;
}

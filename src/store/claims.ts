import { EnvironmentError } from "../core/errors.js";
import { canonicalJson, isJsonObject, parseJson, type JsonObject } from "../core/json.js";
import { GitCommandError, runGit } from "./git.js";
import type { Repository } from "./repository.js";

/**
 * Claims on a study's trials: `refs/exp-claims/<sweep>/<index>`. A worker creates the ref
 * (create-only: git's compare-and-swap against "absent") pointing at a blob that names it,
 * before it runs the trial; once the trial is recorded the ref moves (compare-and-swap again)
 * to the experiment's commit. So two workers never run one trial, a finished trial is never
 * run again (a requeued job sees the commit), and a claim whose worker is gone can be taken
 * over by exactly one other worker. Claims stay in the clone; push and pull leave them out.
 */
export const CLAIM_REFS = "refs/exp-claims/";

/** Who holds a claim: enough for any node to ask the scheduler whether it still runs. */
export interface Holder {
  executor: string;
  worker: string;
  display: string;
  host: string;
  pid: number;
  restarts: number;
  at: string;
  /** A search's trial: its config, so other workers' samplers count it as running. */
  config?: JsonObject;
}

export type Claim =
  | { index: number; oid: string; done: false; holder: Holder | undefined }
  | { index: number; oid: string; done: true; experiment: string };

function refOf(sweep: string, index: number): string {
  return `${CLAIM_REFS}${sweep}/${index}`;
}

async function holderBlob(repo: Repository, holder: Holder): Promise<string> {
  const r = await runGit(["hash-object", "-w", "--stdin"], { cwd: repo.cwd, env: repo.env, input: canonicalJson(holder) });
  if (r.code !== 0) throw new GitCommandError(["hash-object", "-w", "--stdin"], r);
  return r.stdout.toString("utf8").trim();
}

/** `git update-ref REF NEW OLD`; false when OLD was not what the ref held (someone else won). */
async function swap(repo: Repository, ref: string, next: string, expected: string): Promise<boolean> {
  const r = await runGit(["update-ref", ref, next, expected], { cwd: repo.cwd, env: repo.env });
  if (r.code === 0) return true;
  if (/already exists|cannot lock ref|is at .* but expected|unable to resolve reference/i.test(r.stderr)) return false;
  throw new GitCommandError(["update-ref", ref], r);
}

/** Claim trial `index` if nobody has: the claim's blob id, or undefined when another holds it or it is done. */
export async function claimTrial(repo: Repository, sweep: string, index: number, holder: Holder): Promise<string | undefined> {
  const oid = await holderBlob(repo, holder);
  return (await swap(repo, refOf(sweep, index), oid, "0".repeat(oid.length))) ? oid : undefined;
}

/** Take over a claim whose holder is gone; only one of several racing takers wins. */
export async function takeOverClaim(repo: Repository, sweep: string, index: number, from: string, holder: Holder): Promise<string | undefined> {
  const oid = await holderBlob(repo, holder);
  return (await swap(repo, refOf(sweep, index), oid, from)) ? oid : undefined;
}

/** The trial was recorded: its claim now names the experiment. */
export async function finishClaim(repo: Repository, sweep: string, index: number, claim: string, experiment: string): Promise<boolean> {
  return swap(repo, refOf(sweep, index), experiment, claim);
}

/** Every claim of a study, by index; two git calls whatever their number. */
export async function listClaims(repo: Repository, sweep: string): Promise<Claim[]> {
  const r = await runGit(["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)", `${CLAIM_REFS}${sweep}/`], { cwd: repo.cwd, env: repo.env });
  if (r.code !== 0) throw new GitCommandError(["for-each-ref"], r);
  const rows = r.stdout
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [oid, type, ref] = line.split(" ");
      return { oid: oid!, type: type!, index: Number(ref!.slice(ref!.lastIndexOf("/") + 1)) };
    })
    .filter((c) => Number.isInteger(c.index));
  const blobs = rows.filter((c) => c.type === "blob").map((c) => c.oid);
  const holders = await readHolders(repo, blobs);
  return rows
    .map((c): Claim => (c.type === "commit" ? { index: c.index, oid: c.oid, done: true, experiment: c.oid } : { index: c.index, oid: c.oid, done: false, holder: holders.get(c.oid) }))
    .sort((a, b) => a.index - b.index);
}

async function readHolders(repo: Repository, oids: string[]): Promise<Map<string, Holder>> {
  const out = new Map<string, Holder>();
  if (oids.length === 0) return out;
  const r = await runGit(["cat-file", "--batch"], { cwd: repo.cwd, env: repo.env, input: oids.join("\n") + "\n" });
  if (r.code !== 0) throw new EnvironmentError(`git cat-file --batch failed: ${r.stderr.trim()}`);
  let at = 0;
  const buf = r.stdout;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    const [oid, , size] = buf.subarray(at, nl).toString("utf8").split(" ");
    const n = Number(size);
    const body = buf.subarray(nl + 1, nl + 1 + n).toString("utf8");
    at = nl + 1 + n + 1;
    try {
      const v = parseJson(body);
      if (isJsonObject(v) && typeof v["worker"] === "string") out.set(oid!, v as unknown as Holder);
    } catch {
      // not a claim of ours: its holder stays unknown
    }
  }
  return out;
}

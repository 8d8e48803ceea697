import { parseEvents } from "../core/annotations.js";
import { FUTURE_SLACK_MS, type IncomingEvent, type RefusalKind } from "../core/annotation-trust.js";
import { runGit, GitCommandError } from "./git.js";
import { ObjectReader } from "./object-reader.js";
import type { Repository } from "./repository.js";

/**
 * What this clone accepts of the annotation events another clone sends. Notes still merge
 * as a union (so pushing them back never drops someone's line and the history stays a
 * fast-forward for everyone); an event this clone refuses is listed in REFUSED_REF and
 * left out wherever events are read, here only.
 */
export interface AnnotationPolicy {
  /** false: `pull --no-deletes` or gitexp.json `"accept_deletes": false`. */
  acceptDeletes: boolean;
  /** Keep only events added by a commit whose signature git calls good (%G? = G). */
  verifySignatures: boolean;
  /** The clock the "dated in the future" test reads. */
  nowMs: number;
}

export const DEFAULT_POLICY: Omit<AnnotationPolicy, "nowMs"> = { acceptDeletes: true, verifySignatures: false };

/**
 * Local only: a blob of `<experiment id> <event line>` lines, sorted. Outside refs/notes/
 * and refs/experiments/ so that no refspec git-exp or `init` writes carries it.
 */
export const REFUSED_REF = "refs/exp-refused/events";

function refusedKey(id: string, line: string): string {
  return `${id} ${line.trim()}`;
}

/** The refused events, as refusedKey gives them; empty when there are none. */
export async function readRefused(repo: Repository): Promise<Set<string>> {
  const r = await runGit(["cat-file", "blob", REFUSED_REF], { cwd: repo.cwd, env: repo.env });
  return refusedSet(r.code === 0 ? r.stdout.toString("utf8") : "");
}

export function refusedSet(text: string): Set<string> {
  return new Set(text.split("\n").filter((l) => l.trim() !== ""));
}

/** Add refused events; the ref moves by compare-and-swap, so two pulls at once both keep theirs. */
export async function addRefused(repo: Repository, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  for (let attempt = 0; attempt < 8; attempt++) {
    const old = await runGit(["rev-parse", "-q", "--verify", REFUSED_REF], { cwd: repo.cwd, env: repo.env });
    const oldId = old.code === 0 ? old.stdout.toString("utf8").trim() : "";
    const lines = new Set([...(await readRefused(repo)), ...keys]);
    const text = [...lines].sort().join("\n") + "\n";
    const blob = (await runGit(["hash-object", "-w", "--stdin"], { cwd: repo.cwd, env: repo.env, input: text })).stdout.toString("utf8").trim();
    const args = ["update-ref", REFUSED_REF, blob, oldId || "0".repeat(blob.length)];
    const r = await runGit(args, { cwd: repo.cwd, env: repo.env });
    if (r.code === 0) return;
    if (attempt === 7) throw new GitCommandError(args, r);
  }
}

/** Drop refused lines from one experiment's note text. */
export function withoutRefused(id: string, text: string, refused: Set<string>): string {
  if (refused.size === 0) return text;
  return text
    .split("\n")
    .filter((l) => !refused.has(refusedKey(id, l)))
    .join("\n");
}

/**
 * The events merging `theirs` into `ours` (notes commits; ours null when this clone has no
 * notes yet) would add, judged by the policy: what to report and what to refuse.
 */
export async function screenIncoming(
  repo: Repository,
  ours: string | null,
  theirs: string,
  policy: AnnotationPolicy,
): Promise<{ reported: IncomingEvent[]; refused: string[] }> {
  const fresh = await newLines(repo, ours, theirs);
  const signed = policy.verifySignatures && fresh.size > 0 ? await signedLines(repo, ours, theirs) : null;
  const reported: IncomingEvent[] = [];
  const refused: string[] = [];
  for (const [id, lines] of fresh) {
    for (const line of lines) {
      const e = parseEvents(line)[0];
      if (!e) continue; // not an event: never read, whatever it says
      const kind: RefusalKind | undefined =
        Date.parse(e.at) > policy.nowMs + FUTURE_SLACK_MS
          ? "future"
          : signed && !signed.has(refusedKey(id, line))
            ? "unsigned"
            : e.op === "delete" && !policy.acceptDeletes
              ? "no-deletes"
              : undefined;
      if (kind) refused.push(refusedKey(id, line));
      if (kind || e.op === "delete" || e.op === "rename" || e.op === "restore") {
        const r: IncomingEvent = { id, op: e.op, at: e.at, by: e.by, applied: !kind };
        if (e.name !== undefined) r.name = e.name;
        if (e.tag !== undefined) r.tag = e.tag;
        if (kind) r.refused = kind;
        reported.push(r);
      }
    }
  }
  reported.sort((a, b) => a.id.localeCompare(b.id) || a.at.localeCompare(b.at));
  const names = await readBlobs(repo, [...new Set(reported.map((r) => `${r.id}:experiment.json`))]);
  for (const r of reported) {
    const name = recordedName(names.get(`${r.id}:experiment.json`));
    if (name !== undefined) r.experimentName = name;
  }
  return { reported, refused };
}

/** Experiment id -> lines its note has in `theirs` and not in `ours`. */
async function newLines(repo: Repository, ours: string | null, theirs: string): Promise<Map<string, string[]>> {
  const args = ours ? ["diff-tree", "-r", "--no-renames", ours, theirs] : ["ls-tree", "-r", theirs];
  const out = (await runGitOk(repo, args)).split("\n");
  // Keyed by id, not path: the two sides may fan their notes out differently.
  const sides = new Map<string, { old: string[]; new: string[] }>();
  for (const line of out) {
    const entry = ours ? diffEntry(line) : lsEntry(line);
    if (!entry) continue;
    const s = sides.get(entry.id) ?? { old: [], new: [] };
    if (entry.old) s.old.push(entry.old);
    if (entry.new) s.new.push(entry.new);
    sides.set(entry.id, s);
  }
  const texts = await readBlobs(repo, [...sides.values()].flatMap((s) => [...s.old, ...s.new]));
  const fresh = new Map<string, string[]>();
  for (const [id, s] of sides) {
    const have = new Set(s.old.flatMap((b) => lines(texts.get(b))));
    const added = [...new Set(s.new.flatMap((b) => lines(texts.get(b))))].filter((l) => !have.has(l));
    if (added.length > 0) fresh.set(id, added);
  }
  return fresh;
}

const ZERO = /^0+$/;

/** `:100644 100644 <old> <new> M\t<path>` (diff-tree -r). */
function diffEntry(line: string): { id: string; old?: string; new?: string } | undefined {
  const m = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) [A-Z]\d*\t(.+)$/.exec(line);
  if (!m) return undefined;
  return { id: m[3]!.replace(/\//g, ""), old: ZERO.test(m[1]!) ? undefined : m[1], new: ZERO.test(m[2]!) ? undefined : m[2] };
}

/** `100644 blob <id>\t<path>` (ls-tree -r). */
function lsEntry(line: string): { id: string; old?: string; new?: string } | undefined {
  const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
  return m ? { id: m[2]!.replace(/\//g, ""), new: m[1]! } : undefined;
}

function recordedName(text: string | undefined): string | undefined {
  try {
    const meta: unknown = text ? JSON.parse(text) : undefined;
    const name = meta && typeof meta === "object" ? (meta as { name?: unknown }).name : undefined;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

function lines(text: string | undefined): string[] {
  return (text ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

async function readBlobs(repo: Repository, ids: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (ids.length === 0) return texts;
  const reader = new ObjectReader(repo.cwd, [], repo.env);
  try {
    for (const b of new Set(ids)) reader.request(b, (o) => o && texts.set(b, o.data.toString("utf8")));
    await reader.drain();
  } finally {
    await reader.close();
  }
  return texts;
}

/**
 * refusedKey of every line added by a notes commit of `theirs` (not in ours) that git
 * verifies as good (%G? = G: a gpg key with full validity, or an ssh key listed in
 * gpg.ssh.allowedSignersFile). A merge commit adds nothing of its own: its lines come from
 * its parents, where they are judged.
 */
async function signedLines(repo: Repository, ours: string | null, theirs: string): Promise<Set<string>> {
  const log = await runGitOk(repo, ["log", "--format=%H %G? %P", theirs, ...(ours ? ["--not", ours] : [])]);
  const good = log
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f[1] === "G" && f.length <= 3)
    .map((f) => f[0]!);
  const signed = new Set<string>();
  if (good.length === 0) return signed;
  const diff = (await runGitOk(repo, ["diff-tree", "--stdin", "-r", "--root", "--no-renames"], good.join("\n") + "\n")).split("\n");
  const entries = diff.map(diffEntry).filter((e): e is NonNullable<typeof e> => e !== undefined);
  const texts = await readBlobs(repo, entries.flatMap((e) => [e.old, e.new].filter((b): b is string => b !== undefined)));
  for (const e of entries) {
    const had = new Set(lines(e.old ? texts.get(e.old) : undefined));
    for (const l of lines(e.new ? texts.get(e.new) : undefined)) if (!had.has(l)) signed.add(refusedKey(e.id, l));
  }
  return signed;
}

async function runGitOk(repo: Repository, args: string[], input?: string): Promise<string> {
  const r = await runGit(args, { cwd: repo.cwd, env: repo.env, input });
  if (r.code !== 0) throw new GitCommandError(args, r);
  return r.stdout.toString("utf8");
}

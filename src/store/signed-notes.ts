import { NOTES_REF } from "../core/annotations.js";
import { EnvironmentError } from "../core/errors.js";
import { runGit, GitCommandError } from "./git.js";
import type { Repository } from "./repository.js";

/** Whether this repository signs its commits (`commit.gpgSign`): then annotations are signed too. */
export async function signsCommits(repo: Repository): Promise<boolean> {
  const r = await runGit(["config", "--bool", "commit.gpgSign"], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 && r.stdout.toString("utf8").trim() === "true";
}

/**
 * Add event lines to one experiment's note in a signed notes commit. `git notes` never signs,
 * so the note is written on a private copy of the notes ref, and the commit it made is
 * re-made with `git commit-tree -S` (git's own signing: gpg.format, user.signingkey) and
 * put on the notes ref by compare-and-swap; a concurrent writer means another try.
 */
export async function writeSignedNote(repo: Repository, id: string, added: string[]): Promise<void> {
  // Under refs/notes/ (git notes --ref puts any other name there) but outside the
  // refs/notes/experiments* glob that push and init carry.
  const scratch = `refs/notes/git-exp-scratch-${process.pid}-${Date.now()}`;
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      const tip = await revParse(repo, NOTES_REF);
      if (tip) await ok(repo, ["update-ref", scratch, tip]);
      else await runGit(["update-ref", "-d", scratch], { cwd: repo.cwd, env: repo.env });
      const existing = tip ? await runGit(["notes", `--ref=${scratch}`, "show", id], { cwd: repo.cwd, env: repo.env }) : null;
      await ok(repo, ["notes", `--ref=${scratch}`, "add", "-f", "-F", "-", id], noteText(existing?.code === 0 ? existing.stdout.toString("utf8") : "", added));
      const tree = (await ok(repo, ["rev-parse", `${scratch}^{tree}`])).trim();
      const args = ["commit-tree", "-S", tree, ...(tip ? ["-p", tip] : []), "-m", "Notes added by 'git exp'"];
      const signed = await runGit(args, { cwd: repo.cwd, env: repo.env });
      if (signed.code !== 0) {
        throw new EnvironmentError(
          `commit.gpgSign is on but git could not sign the annotation: ${signed.stderr.trim()}; fix the key (user.signingkey, gpg.format) or turn commit.gpgSign off`,
        );
      }
      const commit = signed.stdout.toString("utf8").trim();
      const moved = await runGit(["update-ref", NOTES_REF, commit, tip ?? "0".repeat(commit.length)], { cwd: repo.cwd, env: repo.env });
      if (moved.code === 0) return;
    }
    throw new EnvironmentError("the annotations kept changing under this write (other git exp processes); try again");
  } finally {
    await runGit(["update-ref", "-d", scratch], { cwd: repo.cwd, env: repo.env });
  }
}

/** A note's lines stay sorted and unique: the shape cat_sort_uniq produces. */
export function noteText(existing: string, added: string[]): string {
  const lines = new Set(existing.split("\n").filter((l) => l.trim() !== ""));
  for (const l of added) lines.add(l);
  return [...lines].sort().join("\n") + "\n";
}

async function revParse(repo: Repository, ref: string): Promise<string | null> {
  const r = await runGit(["rev-parse", "-q", "--verify", ref], { cwd: repo.cwd, env: repo.env });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
}

async function ok(repo: Repository, args: string[], input?: string): Promise<string> {
  const r = await runGit(args, { cwd: repo.cwd, env: repo.env, input });
  if (r.code !== 0) throw new GitCommandError(args, r);
  return r.stdout.toString("utf8");
}

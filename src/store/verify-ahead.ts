import { isFullId } from "../core/ids.js";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { commonGitDir, type Repository } from "./repository.js";
import { sleep } from "./transport.js";
import { openVerifier, type Verifier } from "./verify.js";


/**
 * Often enough to keep the checks close behind git's ref writes; each look lists the whole
 * folder (10,000 names at the end), so not much more often than that.
 */
const POLL_MS = 50;

/**
 * Checks experiments while `git fetch` is still writing their quarantine refs. git writes a
 * loose ref only after the pack holding its objects is in place and connected, and writing
 * 10,000 of them keeps one core busy for about a second: checking what has appeared so far
 * uses the other core meanwhile. A pass depends on nothing but the id (which names every
 * object checked), so one seen early still holds; what did not pass, or never showed up as
 * a new loose ref (reftable, refs fetched before), is left to the check after the fetch.
 */
export class VerifyAhead {
  private readonly seen: Set<string>;
  private readonly added: string[] = [];
  private verifier: Verifier | null = null;
  private mode: "watching" | "sweeping" | "abandoned" = "watching";
  private readonly loop: Promise<void>;

  private constructor(
    private readonly repo: Repository,
    private readonly dir: string,
    /** Names already in the folder, and experiments this repository has: not checked. */
    skip: Iterable<string>,
  ) {
    this.seen = new Set(skip);
    this.loop = this.run();
  }

  /** Start watching the loose refs of `namespace` (refs/.../); those already there are not new. */
  static async start(repo: Repository, namespace: string, local: Set<string>): Promise<VerifyAhead> {
    const dir = join(commonGitDir(repo.gitDir), namespace);
    return new VerifyAhead(repo, dir, [...(await looseNames(dir)), ...local]);
  }

  /** The fetch is done: check every ref that appeared since the start; the ids that passed. */
  async finish(): Promise<Set<string>> {
    if (this.mode === "watching") this.mode = "sweeping";
    await this.loop;
    const passed = new Set<string>();
    if (!this.verifier) return passed;
    try {
      const problems = await this.verifier.finish();
      for (const id of this.added) if (!problems.has(id)) passed.add(id);
    } catch {
      // Only a head start: the check after the fetch covers everything and reports any failure.
    }
    return passed;
  }

  /** The fetch failed: stop watching, drop what was checked. */
  async abandon(): Promise<void> {
    this.mode = "abandoned";
    await this.loop;
    await this.verifier?.finish().catch(() => undefined);
  }

  private async run(): Promise<void> {
    try {
      while (this.mode !== "abandoned") {
        const sweeping = this.mode === "sweeping";
        // The set first: most names are already seen, and the pattern costs more.
        const fresh = (await looseNames(this.dir)).filter((name) => !this.seen.has(name) && isFullId(name));
        if (fresh.length > 0) this.add(fresh);
        if (sweeping) return;
        await sleep(POLL_MS);
      }
    } catch {
      // As in finish(): a failed head start leaves the whole check to after the fetch.
    }
  }

  private add(ids: string[]): void {
    for (const id of ids) this.seen.add(id);
    this.verifier ??= openVerifier(this.repo);
    this.verifier.add(ids);
    this.added.push(...ids);
  }
}

/** Names in the folder; none while it does not exist yet (or cannot be read: no head start). */
async function looseNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

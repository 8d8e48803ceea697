import type { ChildProcess } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { dirname } from "node:path";
import { refsFingerprint } from "../../src/index/fingerprint.js";
import { openRepository } from "../../src/store/repository.js";

/** Resolves when `file` exists (its folder's watcher says so), or when `child` exits first. */
export function fileAppears(file: string, child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dirname(file));
    const done = (): void => {
      watcher.close();
      resolve();
    };
    watcher.on("change", () => existsSync(file) && done());
    child.once("exit", done);
    // Written before the watcher started: no event will come for it.
    if (existsSync(file)) done();
  });
}

/**
 * Resolves once the refs' stats can be trusted (index/fingerprint.ts): a change within the
 * file system clock's last tick could hide behind unchanged stats, so a sync until then
 * leaves the index to check again. The moment depends on the clock, not on an event, so this
 * asks the same question the index asks, a tick at a time.
 */
export async function refsSettled(dir: string): Promise<void> {
  const repo = await openRepository(dir);
  while (refsFingerprint(repo).racy) await sleep(10);
}

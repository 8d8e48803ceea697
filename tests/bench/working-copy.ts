import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyWorkTree } from "../../src/capture/working-copy.js";
import { checkoutTemporary } from "../../src/capture/worktree.js";
import { capturePatch } from "../../src/capture/git-state.js";
import { openRepository } from "../../src/store/repository.js";
import { benchDir, removeDir, sh, type BenchRow } from "./harness.js";

/**
 * What a parallel sweep point pays for its own folder: a copy of the tracked and untracked
 * files with ignored paths linked (what git-exp does), against a temporary `git worktree`
 * of HEAD with the uncommitted patch applied (what DVC's queue does). A realistic project:
 * `files` source files of ~4 KB, one of them modified, and an ignored 200 MB data folder.
 */
async function measure(files: number): Promise<BenchRow[]> {
  const dir = benchDir("copy");
  try {
    sh(dir, "git", ["init", "-q"]);
    for (let i = 0; i < files; i++) {
      mkdirSync(join(dir, `pkg${i % 20}`), { recursive: true });
      writeFileSync(join(dir, `pkg${i % 20}`, `m${i}.py`), `# module ${i}\n` + "x = 1\n".repeat(700));
    }
    writeFileSync(join(dir, ".gitignore"), "data/\n");
    sh(dir, "git", ["add", "."]);
    sh(dir, "git", ["commit", "-q", "-m", "code"]);
    mkdirSync(join(dir, "data"));
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, "data", `shard${i}.bin`), Buffer.alloc(10 << 20, i));
    writeFileSync(join(dir, "pkg0", "m0.py"), "# changed\n");
    const repo = await openRepository(dir);
    const head = sh(dir, "git", ["rev-parse", "HEAD"]).trim();
    const time = async (f: () => Promise<void>): Promise<number> => {
      const ms: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        await f();
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b)[2]!;
    };
    const copy = await time(async () => {
      const c = await copyWorkTree(repo, dir, dir, [join(dir, "model.bin")]);
      await c.remove();
    });
    const worktree = await time(async () => {
      const t = await checkoutTemporary(repo, head, Buffer.from(await capturePatch(repo)));
      await t.remove();
    });
    return [
      {
        area: "working-copy",
        name: `copy of ${files} tracked files, 200 MB ignored data linked (make + remove)`,
        value: copy,
        unit: "ms",
        baselineName: "git worktree add + apply patch + remove",
        baselineValue: worktree,
        goal: "no slower than a worktree",
      },
    ];
  } finally {
    removeDir(dir);
  }
}

export async function bench(): Promise<BenchRow[]> {
  return [...(await measure(200)), ...(await measure(2000))];
}

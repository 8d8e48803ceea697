import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allDocBlocks, type DocBlock } from "./helpers/doc-blocks.js";
import { FIXTURES, ROOT, TEST_ENV } from "./helpers/repo.js";
import { buildDemoRepository, demoEnv, quietRunner } from "./demo/demo-repo.js";

/**
 * The doc test: every code block of README.md and docs/ that shows a `git exp` command runs
 * here, so the documentation cannot drift from the CLI. Each documentation file gets its own
 * copy of the demo's repository (what `npm run demo` leaves: iris-1 ... iris-6 and iris-l2)
 * with the files of fixtures/docs/ beside it and a bare remote `origin`; its blocks run in
 * order, so a block sees what the blocks above it did. The convention is in
 * tests/helpers/doc-blocks.ts and CONTRIBUTING.md.
 */

const { blocks, problems } = allDocBlocks(ROOT);
const byFile = new Map<string, DocBlock[]>();
for (const b of blocks) byFile.set(b.file, [...(byFile.get(b.file) ?? []), b]);

let work = "";
let template = "";
const env: NodeJS.ProcessEnv = { ...demoEnv({ ...process.env, ...TEST_ENV }), COLUMNS: "100" };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "git-exp-docs-"));
  template = join(work, "template");
  cpSync(join(FIXTURES, "docs"), template, { recursive: true });
  buildDemoRepository(template, quietRunner(template, env));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it("the documentation's code blocks follow the doc-test convention", () => {
  expect(problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([]);
});

it("finds the blocks of every documentation file", () => {
  expect(byFile.get("README.md")?.length ?? 0).toBeGreaterThan(3);
  expect(readdirSync(join(ROOT, "docs")).length).toBeGreaterThan(5);
});

for (const [file, fileBlocks] of byFile) {
  describe(file, () => {
    let repo = "";
    beforeAll(() => {
      const slug = file.replace(/[^A-Za-z0-9]+/g, "-");
      repo = join(work, slug);
      cpSync(template, repo, { recursive: true });
      const origin = join(work, `${slug}-origin.git`);
      sh(work, `git init -q --bare '${origin}'`);
      sh(repo, `git remote add origin '${origin}' && git push -q origin main`);
    });
    for (const block of fileBlocks) {
      const name = `${file}:${block.line} (git exp block ${block.ordinal})`;
      if (block.skip !== undefined) {
        it.skip(`${name}: ${block.skip}`, () => undefined);
        continue;
      }
      it(name, () => {
        const r = spawnSync("bash", ["-e", "-o", "pipefail", "-c", block.before + "\n" + block.script], {
          cwd: repo,
          env,
          input: "",
          encoding: "utf8",
          timeout: 120_000,
          maxBuffer: 1 << 26,
        });
        if (r.status !== block.exit) {
          const tail = (s: string): string => s.split("\n").slice(-30).join("\n");
          throw new Error(
            `${file}:${block.line}: git exp block ${block.ordinal} of ${file} exited ${r.status ?? r.signal}, expected ${block.exit}` +
              ` (mark a block that cannot run here with <!-- doc-test: skip REASON -->; see CONTRIBUTING.md)\n` +
              `--- the block\n${block.before ? `${block.before}\n# (before)\n` : ""}${block.script}--- stderr\n${tail(r.stderr)}\n--- stdout\n${tail(r.stdout)}`,
          );
        }
      }, 150_000);
    }
  });
}

function sh(cwd: string, script: string): void {
  const r = spawnSync("bash", ["-e", "-c", script], { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
}

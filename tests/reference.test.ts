import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referencePages } from "../src/cli/reference.js";
import { ROOT } from "./helpers/repo.js";

/**
 * docs/reference/ is generated from the yargs definitions (src/cli/reference.ts): it must be
 * what the CLI's help says now. CI runs this with the rest of the suite.
 */
describe("the command reference", () => {
  it("docs/reference/ is current with the CLI's help (else: npm run build && npm run reference)", async () => {
    const dir = join(ROOT, "docs", "reference");
    const pages = await referencePages();
    const stale: string[] = [];
    for (const [file, text] of pages) {
      const path = join(dir, file);
      if (!existsSync(path)) stale.push(`docs/reference/${file} is missing`);
      else if (readFileSync(path, "utf8") !== text) stale.push(`docs/reference/${file} differs from the help`);
    }
    for (const file of existsSync(dir) ? readdirSync(dir) : []) {
      if (!pages.has(file)) stale.push(`docs/reference/${file} is no command's page`);
    }
    expect(stale, "run `npm run build && npm run reference` and commit docs/reference/").toEqual([]);
  });

  it("has a page per command, linked from its index, and the guide links the index", async () => {
    const pages = await referencePages();
    const index = pages.get("README.md")!;
    for (const c of ["record", "run", "ls", "top", "check", "push"]) {
      expect(pages.get(`${c}.md`)).toMatch(new RegExp(`^<!--[^\\n]*-->\\n\\n# git exp ${c}\\n`));
      expect(index).toContain(`[\`${c}\`](${c}.md)`);
    }
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("docs/reference/README.md");
  });
});

import { describe, expect, it } from "vitest";
import { docBlocks } from "./helpers/doc-blocks.js";

/** The doc test's reading of Markdown: which blocks run, how, and which markup it refuses. */
describe("doc-test blocks", () => {
  it("runs a shell block whole, and only the prompted lines of a console block", () => {
    const md = ["```sh", "git exp ls   # newest first", "echo hi", "```", "", "```console", "$ git exp top loss \\", "  --min", "rank  id", "$ git exp ls", "out", "```", "", "```sh", "npm test", "```"].join("\n");
    const { blocks, problems } = docBlocks("a.md", md);
    expect(problems).toEqual([]);
    expect(blocks.map((b) => [b.line, b.ordinal, b.script])).toEqual([
      [1, 1, "git exp ls   # newest first\necho hi\n"],
      [6, 2, "git exp top loss \\\n  --min\ngit exp ls\n"],
    ]);
  });

  it("reads skip, exit and before markers stacked above a fence", () => {
    const md = ["<!-- doc-test: skip needs a cluster -->", "```sh", "git exp run --on slurm -- true", "```", "<!-- doc-test: before", "echo '{}' > c.json", "-->", "<!-- doc-test: exit 1 -->", "", "```bash", "git exp check", "```"].join("\n");
    const { blocks, problems } = docBlocks("a.md", md);
    expect(problems).toEqual([]);
    expect(blocks[0]).toMatchObject({ skip: "needs a cluster", exit: 0 });
    expect(blocks[1]).toMatchObject({ skip: undefined, exit: 1, before: "echo '{}' > c.json\n" });
  });

  it("names the file and line of markup that would escape the test", () => {
    const md = ["```text", "git exp ls", "```", "", "    $ git exp ls", "", "<!-- doc-test: skip -->", "```sh", "git exp ls", "```", "<!-- doc-test: exit one -->", "```sh", "git exp ls", "```"].join("\n");
    const { problems } = docBlocks("docs/x.md", md);
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(["docs/x.md:1", "docs/x.md:5", "docs/x.md:8", "docs/x.md:12"]);
    expect(problems[0]!.message).toMatch(/make it `sh`/);
    expect(problems[1]!.message).toMatch(/fence it/);
    expect(problems[2]!.message).toMatch(/needs a reason/);
    expect(problems[3]!.message).toMatch(/needs a number/);
  });

  it("leaves blocks without a git exp command and indented list text alone", () => {
    const md = ["- a list item", "    git exp ls continues the item", "", "```json", "{\"git exp\": 1}", "```"].join("\n");
    expect(docBlocks("a.md", md)).toEqual({ blocks: [], problems: [] });
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, cleanup, git, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

/** A training script logging an image a step through the metrics protocol, and some it should not. */
const TRAIN = String.raw`
import json, os
os.makedirs("out", exist_ok=True)
log = open(os.environ["GIT_EXP_METRICS"], "a")
colours = ["#4e79a7", "#f28e2b", "#e15759"]
for step, colour in enumerate(colours):
    path = "out/sample-%d.svg" % step
    with open(path, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="%s"/></svg>' % colour)
    log.write(json.dumps({"step": step, "loss": 1.0 / (step + 1), "samples": {"image": path}}) + "\n")
with open("out/huge.png", "wb") as f:
    f.write(b"\x89PNG" + b"\0" * (2 << 20))
with open("out/x.bmp", "wb") as f:
    f.write(b"BM")
log.write(json.dumps({"step": 3, "big": {"image": "out/huge.png"}, "bmp": {"image": "out/x.bmp"}, "gone": {"image": "out/nope.png"}, "loss": 0.2}) + "\n")
log.close()
`;

describe("media values in the metrics protocol", () => {
  it("keeps each logged image as media/<key>/<step>.<ext>; refuses others with a warning, never silently", async () => {
    const dir = makeRepo({ commit: true });
    writeFileSync(join(dir, "train.py"), TRAIN);
    const r = await cli(dir, ["run", "--no-system-metrics", "--", "python3", "train.py"]);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim().split("\n").pop()!;
    const files = git(dir, ["ls-tree", "-r", "--name-only", id]).split("\n").filter((f) => f.startsWith("media/"));
    expect(files.sort()).toEqual(["media/samples/0.svg", "media/samples/1.svg", "media/samples/2.svg"]);
    expect(git(dir, ["show", `${id}:media/samples/2.svg`])).toContain("#e15759");
    expect(r.stderr).toMatch(/warning: media big at step 3 \(out\/huge\.png\): 2097156 bytes, over the 1048576 bytes a media file may have; not kept/);
    expect(r.stderr).toMatch(/warning: media bmp at step 3 \(out\/x\.bmp\): not one of png, jpg, jpeg, gif, svg, webp; not kept/);
    expect(r.stderr).toMatch(/warning: media gone at step 3 \(out\/nope\.png\): the file does not exist; not kept/);
    const shown = JSON.parse((await cli(dir, ["show", id, "--json"])).stdout) as { results: Record<string, unknown>; series: Record<string, { step: number[] }> };
    // the metrics of the same lines are kept as ever; a media value is no metric
    expect(shown.series["loss"]!.step).toEqual([0, 1, 2, 3]);
    expect(Object.keys(shown.results)).toEqual(["loss"]);
    const listed = await cli(dir, ["artifacts", id]);
    expect(listed.stdout).toMatch(/media\/samples\/1\.svg\s+media/);
  });
});

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PNG_1X1, svg } from "./helpers/media.js";
import { cli, cleanup, makeRepo, repoSnapshot, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

const MODEL = Buffer.from([0, 1, 2, 3, 255, 254, 10, 13]);

function doc(fields: { outputs?: Record<string, unknown>; files?: Record<string, unknown>; name?: string } = {}): string {
  return JSON.stringify({
    experiment: { name: fields.name ?? "kept", created_at: "2026-03-01T10:00:00.000Z" },
    config: { lr: 0.1 },
    results: { acc: 0.9 },
    outputs: fields.outputs ?? { "out/model.bin": { sha256: sha(MODEL), size: MODEL.length }, "out/big.ckpt": { sha256: "ab".repeat(32), size: 5_000_000 } },
    files: fields.files ?? {
      "artifacts/out/model.bin": { base64: MODEL.toString("base64") },
      "media/samples/0.png": { base64: PNG_1X1.toString("base64") },
      "media/samples/10.svg": { text: svg("#e15759") },
    },
  });
}

async function repoWith(document = doc()): Promise<string> {
  const dir = makeRepo({ commit: true });
  const r = await cli(dir, ["record", "-"], { input: document });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

describe("git exp artifacts and get", () => {
  it("lists artifacts and media with size and sha256, and outputs kept by checksum only", async () => {
    const dir = await repoWith();
    const r = await cli(dir, ["artifacts", "kept", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const l = JSON.parse(r.stdout) as { files: { path: string; kind: string; size: number; sha256: string; recorded: string | null }[]; checksum_only: { path: string }[] };
    expect(l.files.map((f) => [f.path, f.kind, f.size])).toEqual([
      ["artifacts/out/model.bin", "artifact", MODEL.length],
      ["media/samples/0.png", "media", PNG_1X1.length],
      ["media/samples/10.svg", "media", svg("#e15759").length],
    ]);
    expect(l.files[0]!.sha256).toBe(sha(MODEL));
    expect(l.files[0]!.recorded).toBe(sha(MODEL));
    expect(l.checksum_only.map((o) => o.path)).toEqual(["out/big.ckpt"]);
    const table = await cli(dir, ["artifacts", "kept"]);
    expect(table.stdout).toMatch(/^path\s+kind\s+size\s+sha256$/m);
    expect(table.stdout).toContain(`artifacts/out/model.bin  artifact`);
    expect(table.stdout).toMatch(/out\/big\.ckpt\s+checksum only/);
  });

  it("writes a file back by its output path or tree path, checksum checked, and refuses to overwrite", async () => {
    const dir = await repoWith();
    const out = join(tempDir(), "model.bin");
    const r = await cli(dir, ["get", "kept", "out/model.bin", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).equals(MODEL)).toBe(true);
    expect(r.stderr).toMatch(/matches the recorded checksum/);
    const again = await cli(dir, ["get", "kept", "artifacts/out/model.bin", "-o", out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists: give another -o FILE, or --force/);
    expect((await cli(dir, ["get", "kept", "artifacts/out/model.bin", "-o", out, "--force"])).code).toBe(0);
    const image = join(tempDir(), "s.svg");
    expect((await cli(dir, ["get", "kept", "media/samples/10.svg", "-o", image])).code).toBe(0);
    expect(readFileSync(image, "utf8")).toBe(svg("#e15759"));
  });

  it("refuses a stored file that does not match its recorded checksum, writing nothing", async () => {
    const dir = await repoWith(doc({ outputs: { "model.bin": { sha256: "00".repeat(32), size: MODEL.length } }, files: { "artifacts/model.bin": { base64: MODEL.toString("base64") } } }));
    const out = join(tempDir(), "model.bin");
    const r = await cli(dir, ["get", "kept", "model.bin", "-o", out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/does not match its recorded checksum .*nothing was written/);
    expect(existsSync(out)).toBe(false);
  });

  it("says what an experiment keeps when asked for a file it does not, and what was only checksummed", async () => {
    const dir = await repoWith();
    const missing = await cli(dir, ["get", "kept", "nope.txt", "-o", join(tempDir(), "x")]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/keeps no file nope\.txt; it keeps artifacts\/out\/model\.bin/);
    const big = await cli(dir, ["get", "kept", "out/big.ckpt", "-o", join(tempDir(), "x")]);
    expect(big.code).toBe(3);
    expect(big.stderr).toMatch(/recorded by checksum only .*--store-output/);
    expect((await cli(dir, ["artifacts", "nosuch"])).code).toBe(3);
  });

  it("refuses media of another form or past the per-file cap, before anything is written", async () => {
    const dir = makeRepo({ commit: true });
    const before = repoSnapshot(dir);
    for (const [files, message] of [
      [{ "media/x.png": { base64: PNG_1X1.toString("base64") } }, /media\/<key>\/<step>\.<ext>/],
      [{ "media/samples/1.bmp": { base64: PNG_1X1.toString("base64") } }, /media\/<key>\/<step>\.<ext>/],
      [{ "media/samples/-1.png": { base64: PNG_1X1.toString("base64") } }, /media\/<key>\/<step>\.<ext>/],
      [{ "media/samples/1.png": { base64: Buffer.alloc((1 << 20) + 1).toString("base64") } }, /over the 1048576 bytes a media file may have/],
    ] as const) {
      const r = await cli(dir, ["record", "-"], { input: doc({ files, outputs: {} }) });
      expect(r.code, JSON.stringify(files).slice(0, 60)).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(repoSnapshot(dir)).toBe(before);
  });
});

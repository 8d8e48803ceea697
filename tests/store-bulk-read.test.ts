import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Experiment } from "../src/core/experiment.js";
import { NotFoundError } from "../src/core/errors.js";
import { openBulkTreeReader, readTreesInBulk, type TreeFiles } from "../src/store/bulk-read.js";
import { ExperimentStore } from "../src/store/experiment-store.js";
import { ObjectReader } from "../src/store/object-reader.js";
import { openRepository, type Repository } from "../src/store/repository.js";
import { cleanup, git, makeRepo } from "./helpers/repo.js";
import { gitInput } from "./helpers/share.js";

afterAll(cleanup);

function experiment(i: number): Experiment {
  return {
    meta: {
      schema: 1,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      created_by: { name: "Ada", email: "ada@example.com" },
      status: "completed",
      name: `run-${i}`,
    },
    config: { lr: 0.1 / (1 + (i % 7)), seed: i % 3, model: { layers: i % 5 } },
    results: { val: { acc: (i % 100) / 100 + 1e-17 }, loss: i % 11 === 0 ? NaN : 1 / (i + 1) },
    series: i % 2 ? { loss: { step: [0, 1, 2], value: [0.3, 0.2, 0.1 + i] }, "val/acc": { step: [1], value: [0.5] } } : {},
    files: i % 3 === 0 ? { "artifacts/model.bin": new Uint8Array([i % 256, 0, 255]), "notes.txt": new TextEncoder().encode(`run ${i}\n`) } : {},
  };
}

/** Read through the small pipelined path, one experiment at a time. */
async function readOneByOne(store: ExperimentStore, ids: string[]): Promise<(Experiment | Error)[]> {
  const out: (Experiment | Error)[] = [];
  for (const id of ids) out.push(await store.read(id).catch((e: Error) => e));
  return out;
}

/** A store on a new repository, closed after `fn` whatever happens. */
async function withStore(
  options: Parameters<typeof makeRepo>[0],
  fn: (s: { dir: string; repo: Repository; store: ExperimentStore }) => Promise<void>,
): Promise<void> {
  const dir = makeRepo(options);
  const repo = await openRepository(dir);
  const store = new ExperimentStore(repo);
  try {
    await fn({ dir, repo, store });
  } finally {
    await store.close();
  }
}

describe("reading experiments in bulk", () => {
  for (const objectFormat of ["sha1", "sha256"] as const) {
    it(`gives exactly what single reads give, in the order asked (${objectFormat})`, async () => {
      await withStore({ commit: true, objectFormat }, async ({ store }) => {
        const written = await store.write(Array.from({ length: 150 }, (_, i) => experiment(i)));
        const ids = written.map((w) => w.id).reverse();
        const bulk: (Experiment | Error)[] = [];
        await store.readMany(ids, (_id, r) => bulk.push(r));
        expect(bulk).toHaveLength(ids.length);
        expect(bulk).toEqual(await readOneByOne(store, ids));
        const first = bulk[ids.length - 1] as Experiment;
        expect(first.meta.name).toBe("run-0");
        expect(Number.isNaN(first.results["loss"])).toBe(true);
        expect([...Object.keys(first.files)].sort()).toEqual(["artifacts/model.bin", "notes.txt"]);
      });
    });
  }

  it("reports a missing commit or a missing blob for that experiment only, and filters files", async () => {
    await withStore({ commit: true }, async ({ dir, repo, store }) => {
      const many = (await store.write(Array.from({ length: 120 }, (_, i) => experiment(i)))).map((w) => w.id);
      // A small write stays loose: one of its blobs can be removed to play a broken clone.
      const [broken] = await store.write([{ ...experiment(500), results: { unique: 0.125 } }]);
      const blob = git(dir, ["rev-parse", `${broken!.id}:results.json`]).trim();
      rmSync(join(dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
      const absent = "0123456789abcdef0123456789abcdef01234567";
      const ids = [many[0]!, broken!.id, absent, ...many.slice(1)];
      const seen: string[] = [];
      const errors = new Map<string, Error>();
      const configs = new Map<string, string | undefined>();
      await readTreesInBulk(
        repo,
        ids,
        (id, r) => {
          seen.push(id);
          if (r instanceof Error) errors.set(id, r);
          else {
            expect([...r.files.keys()].every((p) => !p.startsWith("artifacts/"))).toBe(true);
            configs.set(id, r.blobIds.get("config.json"));
          }
        },
        { want: (p) => !p.startsWith("artifacts/") },
      );
      expect(seen).toEqual(ids);
      expect([...errors.keys()].sort()).toEqual([absent, broken!.id].sort());
      for (const e of errors.values()) expect(e).toBeInstanceOf(NotFoundError);
      expect(configs.get(many[0]!)).toBe(git(dir, ["rev-parse", `${many[0]}:config.json`]).trim());
      // A missing commit first: it is handed out before any tree is listed.
      const order: string[] = [];
      await readTreesInBulk(repo, [absent, ...many.slice(0, 3), absent.replace("0", "f")], (id) => order.push(id));
      expect(order).toEqual([absent, ...many.slice(0, 3), absent.replace("0", "f")]);
    });
  });

  it("a few experiments, objects loose and packed, some missing: the same as the git pipeline gives", async () => {
    await withStore({ commit: true }, async ({ dir, repo, store }) => {
      const packed = (await store.write(Array.from({ length: 120 }, (_, i) => experiment(i)))).map((w) => w.id);
      // Small writes stay loose; they share blobs (notes.txt, config.json) with the packed ones.
      const loose = (await store.write([experiment(3), { ...experiment(6), results: { fresh: 1 } }])).map((w) => w.id);
      const [broken] = await store.write([{ ...experiment(501), results: { unique: 0.25 } }]);
      const blob = git(dir, ["rev-parse", `${broken!.id}:results.json`]).trim();
      rmSync(join(dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
      const absent = "0123456789abcdef0123456789abcdef01234567";
      const want = (p: string): boolean => !p.startsWith("artifacts/");
      for (const ids of [[loose[1]!], [...loose, packed[0]!, packed[9]!], [loose[0]!, broken!.id, absent, packed[3]!]]) {
        const few: [string, TreeFiles | Error][] = [];
        await readTreesInBulk(repo, ids, (id, r) => few.push([id, r]), { want });
        const piped: [string, TreeFiles | Error][] = [];
        const reader = openBulkTreeReader(repo, (id, r) => piped.push([id, r]), { want });
        reader.add(ids);
        await reader.close();
        expect(few).toEqual(piped);
      }
    });
  });

  it("a damaged loose tree is an error, never a hang", async () => {
    await withStore({ commit: true }, async ({ dir, repo, store }) => {
      const [good] = await store.write([experiment(1)]);
      // A tree object git would refuse (an entry cut short), written loose as a small fetch leaves it.
      const tree = gitInput(dir, ["hash-object", "-t", "tree", "--literally", "-w", "--stdin"], "100644 config.json\0abc").trim();
      const body = `tree ${tree}\nauthor A <a@example.com> 0 +0000\ncommitter A <a@example.com> 0 +0000\n\nbroken\n`;
      const broken = gitInput(dir, ["hash-object", "-t", "commit", "--literally", "-w", "--stdin"], body).trim();
      const seen = new Map<string, TreeFiles | Error>();
      await readTreesInBulk(repo, [good!.id], (id, r) => seen.set(id, r));
      expect(seen.get(good!.id)).not.toBeInstanceOf(Error);
      // Loose and unreadable: handed to git, which refuses it (as the whole read: git's
      // diff-tree stops at a damaged tree) rather than looping over garbage.
      const outcome = await readTreesInBulk(repo, [broken], (id, r) => seen.set(id, r)).then(
        () => seen.get(broken),
        (e: unknown) => e,
      );
      expect(outcome).toBeInstanceOf(Error);
      await expect(store.read(broken)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it("takes ids over time: results in the order added, the same as one call gives", async () => {
    await withStore({}, async ({ repo, store }) => {
      const ids = (await store.write(Array.from({ length: 300 }, (_, i) => experiment(i)))).map((w) => w.id);
      const absent = "0123456789abcdef0123456789abcdef01234567";
      const all = [...ids.slice(0, 100), absent, ...ids.slice(100)];
      const once: [string, TreeFiles | Error][] = [];
      await readTreesInBulk(repo, all, (id, r) => once.push([id, r]));
      const over: [string, TreeFiles | Error][] = [];
      const reader = openBulkTreeReader(repo, (id, r) => over.push([id, r]));
      for (let i = 0; i < all.length; i += 37) {
        reader.add(all.slice(i, i + 37));
        await new Promise((r) => setTimeout(r, 5));
      }
      await reader.close();
      expect(over.map(([id]) => id)).toEqual(all);
      expect(over).toEqual(once);
      expect(over[100]![1]).toBeInstanceOf(NotFoundError);
      expect((over[0]![1] as TreeFiles).modes.get("config.json")).toBe("100644");
    });
  });

  it("streams thousands of experiments with listings read ahead and paused, none lost", async () => {
    await withStore({}, async ({ store }) => {
      const ids = (await store.write(Array.from({ length: 3000 }, (_, i) => experiment(i)))).map((w) => w.id);
      let n = 0;
      await store.readMany(ids, (id, r) => {
        expect(id).toBe(ids[n]);
        expect(r).not.toBeInstanceOf(Error);
        expect((r as Experiment).meta.name).toBe(`run-${n}`);
        n++;
      });
      expect(n).toBe(3000);
    });
  });

  it("the object reader answers in order across chunk boundaries: large, small, missing, empty", async () => {
    const dir = makeRepo();
    const big = "x".repeat(1_000_003) + "\n";
    const texts = ["a\n", big, "", "bb ".repeat(30_000), "last\n"];
    const ids = texts.map((t) => gitInput(dir, ["hash-object", "-w", "--stdin"], t).trim());
    const reader = new ObjectReader(dir, ["--buffer"]);
    const got: (string | null)[] = [];
    const specs = [ids[0]!, ids[1]!, "0123456789abcdef0123456789abcdef01234567", "no such thing", ids[2]!, ids[3]!, ids[4]!, ids[0]!];
    for (const spec of specs) reader.request(spec, (o) => got.push(o ? `${o.type}:${o.data.toString("utf8")}` : null));
    await reader.close();
    expect(got).toEqual(["blob:a\n", `blob:${big}`, null, null, "blob:", `blob:${texts[3]}`, "blob:last\n", "blob:a\n"]);
  });
});

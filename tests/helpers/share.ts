import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { cli, git, makeRepo, tempDir, TEST_ENV, writeJson } from "./repo.js";

/** A bare repository on the local disk, as a team's shared remote. */
export function makeRemote(): string {
  const dir = tempDir("git-exp-remote-");
  execFileSync("git", ["init", "-q", "--bare", dir], { env: { ...process.env, ...TEST_ENV } });
  return dir;
}

/** A clone with one commit and `origin` pointing at the remote. */
export function makeClone(remote: string): string {
  const dir = makeRepo({ commit: true });
  git(dir, ["remote", "add", "origin", remote]);
  return dir;
}

let counter = 0;

/** Record one experiment through the CLI; returns its id. */
export async function recordExp(dir: string, name: string, extra: string[] = []): Promise<string> {
  const n = ++counter;
  const c = writeJson(dir, `c${n}.json`, { lr: n / 1000, name });
  const r = writeJson(dir, `r${n}.json`, { acc: n / 100 });
  const out = await cli(dir, ["record", "--config", c, "--results", r, "--name", name, ...extra]);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout.trim();
}

export async function lsJson(dir: string): Promise<unknown> {
  const r = await cli(dir, ["ls", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

export async function annotationsOf(dir: string, spec: string): Promise<unknown> {
  const r = await cli(dir, ["show", spec, "--json", "--deleted"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { annotations: unknown }).annotations;
}

/** Commit a new file so the next experiment has another source commit. */
export function newCommit(dir: string, file: string): string {
  writeFileSync(join(dir, file), `${file}\n`);
  git(dir, ["add", file]);
  git(dir, ["commit", "-q", "-m", file]);
  return git(dir, ["rev-parse", "HEAD"]).trim();
}

/** git with text on stdin (hash-object, mktree, commit-tree). */
export function gitInput(cwd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...TEST_ENV, ...env }, input, encoding: "utf8" });
}

/**
 * A bare remote holding `n` experiments, imported in one go into clone `a` (written as a
 * pack, refs packed) and pushed from it: the setup of the bulk pull tests.
 */
export async function remoteWithImported(n: number): Promise<{ remote: string; a: string }> {
  const remote = makeRemote();
  const a = makeClone(remote);
  const docs = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      experiment: { schema: 1, created_at: "2026-01-01T00:00:00.000Z", created_by: { name: "x", email: "y" }, status: "completed", name: `bulk-${i}` },
      config: { i },
      results: { acc: i / n },
    }),
  );
  expect((await cli(a, ["import", "-"], { input: docs.join("\n") + "\n" })).code).toBe(0);
  await cli(a, ["push", "--all"]);
  return { remote, a };
}

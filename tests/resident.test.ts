import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { residentSocket } from "../src/cli/resident-client.js";
import { FRAME, frameReader, type CommandRequest } from "../src/core/resident-wire.js";
import { fixtureDocs, importDocs } from "./helpers/experiments.js";
import { ROOT, TEST_ENV, binary, cleanup, git, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

const BUNDLE = join(ROOT, "dist", "src", "cli-bundle", "git-exp.cjs");
/** Turned on here only (the other tests turn it off), exiting 5 s after its last command. */
const ENV = { GIT_EXP_RESIDENT: "1", GIT_EXP_RESIDENT_IDLE: "5" };

/** Resolves once `ok` holds, checking every 50 ms; fails past `ms`. */
async function until(ok: () => boolean, ms = 30_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ok(); ) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One command sent straight to the socket, as the client sends it. */
function ask(socket: string, request: CommandRequest): Promise<{ stdout: string; exit: number }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    const s = connect(socket);
    s.on("error", reject);
    s.on("connect", () => s.write(JSON.stringify(request) + "\n"));
    s.on(
      "data",
      frameReader((kind, payload) => {
        if (kind === FRAME.stdout) stdout += payload.toString("utf8");
        if (kind === FRAME.exit) resolve({ stdout, exit: Number(payload.toString()) });
      }),
    );
  });
}

describe("the resident index process", () => {
  it("is started by the first query command, answers the next ones, sees new experiments, lets a writer in, and exits when idle", async () => {
    const dir = makeRepo();
    const docs = fixtureDocs(21);
    await importDocs(dir, docs.slice(0, 20));
    const env = { ...process.env, ...TEST_ENV, ...ENV };
    const socket = residentSocket(dir, env, BUNDLE)!;
    expect(socket).toMatch(/\.sock$/);
    expect(existsSync(socket)).toBe(false);
    const count = ["sql", "select count(*) as n from experiments", "--json"];
    const first = binary(dir, count, { env: ENV });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual([{ n: 20 }]);
    await until(() => existsSync(socket));
    const strings = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const direct = await ask(socket, { kind: "command", argv: count, cwd: dir, env: strings, stdoutIsTTY: false, stderrIsTTY: false, columns: null });
    expect(direct).toEqual({ stdout: first.stdout, exit: 0 });

    // a new experiment, then commands through it: ls sees it, show resolves a prefix, a bad one exits 3
    await importDocs(dir, docs.slice(20));
    const ls = binary(dir, ["ls", "--json"], { env: ENV });
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toHaveLength(21);
    const id = git(dir, ["for-each-ref", "--count=1", "--format=%(objectname)", "refs/experiments/"]).trim();
    const show = binary(dir, ["show", id.slice(0, 8), "--json"], { env: ENV });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout).id).toBe(id);
    const missing = binary(dir, ["show", "fffffff0"], { env: ENV });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("no experiment matches");

    // Writers in other processes while it holds the index, even ones that never use it
    // (GIT_EXP_RESIDENT=0): each asks it to let go, none waits the lock out or answers from a snapshot.
    const waits = { GIT_EXP_LOCK_TIMEOUT: "20" };
    const rebuild = binary(dir, ["index", "--rebuild"], { env: waits });
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(rebuild.stderr).not.toMatch(/busy/);
    expect(JSON.parse(binary(dir, count, { env: ENV }).stdout)).toEqual([{ n: 21 }]);
    await importDocs(dir, fixtureDocs(22).slice(21));
    const update = binary(dir, ["index", "--json"], { env: waits });
    expect(update.code, update.stderr).toBe(0);
    expect(update.stderr).not.toMatch(/busy/);
    expect(JSON.parse(update.stdout)).toMatchObject({ added: 1, total: 22 });
    expect(JSON.parse(binary(dir, count, { env: ENV }).stdout)).toEqual([{ n: 22 }]);

    // idle for 5 s: it exits and takes its socket away
    await until(() => !existsSync(socket));
  });
});

import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openRepository } from "../src/store/repository.js";
import { VerifyAhead } from "../src/store/verify-ahead.js";
import { cleanup, cli, git, makeRepo, repoSnapshot } from "./helpers/repo.js";
import { annotationsOf, gitInput, lsJson, makeClone, makeRemote, newCommit, recordExp, remoteWithImported } from "./helpers/share.js";

afterEach(cleanup);

const execFileAsync = promisify(execFile);

function pushJson(stdout: string): { sent: string[]; present: number; refused: unknown[]; notes: string } {
  return JSON.parse(stdout) as { sent: string[]; present: number; refused: unknown[]; notes: string };
}

describe("push and pull", () => {
  it("round trip A -> remote -> B gives the same listing, annotations and source commits", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const e1 = await recordExp(a, "one", ["--tag", "x"]);
    await recordExp(a, "two");
    await recordExp(a, "three");
    await cli(a, ["tag", e1, "baseline"]);
    await cli(a, ["note", e1, "looks good"]);
    await cli(a, ["rename", "two", "two-renamed"]);

    const first = await cli(a, ["push", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const s1 = pushJson(first.stdout);
    expect(s1.sent).toHaveLength(3);
    expect(s1.present).toBe(0);
    expect(s1.notes).toBe("sent");
    const again = await cli(a, ["push"]);
    expect(again.stdout).toContain("0 sent, 3 already there, 0 refused");

    // B starts empty: no code, no experiments. The source commit comes along as a parent.
    const b = makeRepo();
    git(b, ["remote", "add", "origin", remote]);
    const pulled = await cli(b, ["pull"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain("3 new");
    expect(await lsJson(b)).toEqual(await lsJson(a));
    expect(await annotationsOf(b, e1)).toEqual(await annotationsOf(a, e1));
    expect((await cli(b, ["show", "two-renamed"])).code).toBe(0);
    const source = git(a, ["rev-parse", "HEAD"]).trim();
    expect(git(b, ["cat-file", "-t", source]).trim()).toBe("commit");
    git(b, ["fsck", "--no-progress"]);
    // quarantine refs never show up as experiments
    expect(git(b, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).split("\n").filter(Boolean)).toHaveLength(3);

    const second = await cli(b, ["pull"]);
    expect(second.stdout).toContain("0 new");
  });

  it("pushes only the experiments named", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const e1 = await recordExp(a, "one");
    await recordExp(a, "two");
    const r = await cli(a, ["push", "origin", e1.slice(0, 8), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(pushJson(r.stdout).sent).toEqual([e1]);
    expect(git(remote, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${e1}`);
  });

  it("pushes to and pulls from a path given instead of a remote name", async () => {
    const remote = makeRemote();
    const a = makeRepo({ commit: true });
    await recordExp(a, "one");
    expect((await cli(a, ["push", remote])).code).toBe(0);
    const b = makeRepo();
    const r = await cli(b, ["pull", remote]);
    expect(r.code, r.stderr).toBe(0);
    expect(await lsJson(b)).toEqual(await lsJson(a));
  });

  it("tag in A and untag in B at the same time end in the same state in both", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const e = await recordExp(a, "shared", ["--tag", "first"]);
    await cli(a, ["push"]);
    const b = makeClone(remote);
    await cli(b, ["pull"]);
    await cli(a, ["tag", e, "baseline"]);
    await cli(b, ["untag", e, "first"]);
    await cli(b, ["note", e, "from b"]);
    expect((await cli(a, ["push"])).code).toBe(0);
    const pb = await cli(b, ["push", "--json"]);
    expect(pb.code, pb.stderr).toBe(0);
    expect(pushJson(pb.stdout).notes).toBe("sent"); // after merging A's events
    expect((await cli(a, ["pull"])).code).toBe(0);
    expect((await cli(b, ["pull"])).code).toBe(0);
    const sa = await annotationsOf(a, e);
    expect(sa).toEqual(await annotationsOf(b, e));
    expect((sa as { tags: string[] }).tags).toEqual(["baseline"]);
  });

  it("a deletion travels with pull, and a purged experiment does not come back", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const e = await recordExp(a, "doomed");
    await cli(a, ["push"]);
    const b = makeClone(remote);
    await cli(b, ["pull"]);
    expect((await cli(a, ["rm", "--purge", e])).code).toBe(0);
    expect((await cli(a, ["push"])).code).toBe(0);
    const again = await cli(a, ["pull", "--json"]);
    expect(JSON.parse(again.stdout).skippedDeleted).toBe(1);
    expect(git(a, ["for-each-ref", "refs/experiments/"])).toBe("");
    await cli(b, ["pull"]);
    expect((await cli(b, ["show", e])).code).toBe(3);
    expect((await annotationsOf(b, e)) as { deleted: boolean }).toMatchObject({ deleted: true });
  });
});

describe("a remote that is missing, refuses or is broken", () => {
  it("a remote name that does not exist: clear error, nothing changed", async () => {
    const a = makeRepo({ commit: true });
    await recordExp(a, "one");
    const before = repoSnapshot(a);
    for (const cmd of ["push", "pull"]) {
      const r = await cli(a, [cmd, "nowhere"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("no remote named 'nowhere'");
    }
    expect((await cli(a, ["push"])).code).toBe(3); // no remote at all
    expect(repoSnapshot(a)).toBe(before);
  });

  it("a path or URL that leads nowhere is said to, not offered as a remote name to add", async () => {
    const a = makeClone(makeRemote());
    await recordExp(a, "one");
    const before = repoSnapshot(a);
    for (const cmd of ["push", "pull"]) {
      for (const path of ["../../nope.git", "nope.git", "/no/such/dir"]) {
        const r = await cli(a, [cmd, path]);
        expect(r.code, `${cmd} ${path}: ${r.stderr}`).toBe(3);
        expect(r.stderr).toContain(`no repository at ${path}: ${resolve(a, path)} does not exist; give the path of an existing repository, a URL, or a remote's name (remotes: origin)`);
        expect(r.stderr).not.toContain("git remote add");
      }
      const scp = await cli(a, [cmd, "origin:main"]);
      expect(scp.code).toBe(3);
      expect(scp.stderr).toContain("'origin:main' is not a remote's name, a path that exists or a URL git exp reaches (scheme://host/path, user@host:path)");
      expect(scp.stderr).not.toContain("git remote add");
    }
    expect(repoSnapshot(a)).toBe(before);
  });

  it("a first argument that is an experiment gets a hint", async () => {
    const a = makeClone(makeRemote());
    const e = await recordExp(a, "one");
    const r = await cli(a, ["push", e.slice(0, 8)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("git exp push origin");
  });

  it("an unreachable remote: environment error, nothing changed", async () => {
    const a = makeRepo({ commit: true });
    await recordExp(a, "one");
    git(a, ["remote", "add", "origin", "file:///nonexistent/repo.git"]);
    const before = repoSnapshot(a);
    for (const cmd of ["push", "pull"]) {
      const r = await cli(a, [cmd]);
      expect(r.code, cmd).toBe(4);
      expect(r.stderr).toContain("nothing was changed here");
    }
    expect(repoSnapshot(a)).toBe(before);
  });

  it("a remote whose hook refuses: each experiment reported refused, local state unchanged", async () => {
    const remote = makeRemote();
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(hook, "#!/bin/sh\necho 'no experiments here' >&2\nexit 1\n");
    chmodSync(hook, 0o755);
    const a = makeClone(remote);
    await recordExp(a, "one");
    await recordExp(a, "two");
    const before = repoSnapshot(a);
    const r = await cli(a, ["push", "--json"]);
    expect(r.code).toBe(4);
    const s = pushJson(r.stdout);
    expect(s.refused).toHaveLength(2);
    expect(s.sent).toHaveLength(0);
    expect(r.stderr).toContain("refused");
    expect(repoSnapshot(a)).toBe(before);
    expect(git(remote, ["for-each-ref"])).toBe("");
  });

  it("forged refs and non-canonical experiments stay in quarantine and are reported", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const good = await recordExp(a, "good");
    await cli(a, ["push"]);
    // a forged ref: its name is not its commit
    const forgedName = "ab".repeat(20);
    git(remote, ["update-ref", `refs/experiments/${forgedName}`, good]);
    // a well-formed commit whose experiment.json is not canonical (spaces, unsorted keys)
    const bad = plumbExperiment(a, '{ "status": "completed", "schema": 1, "created_at": "2026-01-01T00:00:00.000Z", "created_by": {"name": "x", "email": "y"} }\n');
    git(a, ["push", "-q", remote, `${bad}:refs/experiments/${bad}`]);

    const b = makeClone(remote);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as { added: string[]; rejected: { id: string | null; ref: string; reason: string }[] };
    expect(s.added).toEqual([good]);
    expect(s.rejected).toHaveLength(2);
    expect(s.rejected.find((x) => x.id === bad)?.reason).toContain("experiment.json is not canonical");
    expect(s.rejected.find((x) => x.id === null)?.ref).toContain(forgedName);
    expect(git(b, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim()).toBe(`refs/experiments/${good}`);
    expect(git(b, ["rev-parse", `refs/exp-incoming/origin/experiments/${bad}`]).trim()).toBe(bad);
    const text = await cli(b, ["pull"]);
    expect(text.stderr).toContain(`rejected ${bad.slice(0, 12)}`);
  });

  it("in bulk (the fast promotion path), forged and malformed experiments still stay out", async () => {
    const { remote, a } = await remoteWithImported(150);
    const good = git(a, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).trim().split("\n");
    const forgedName = "cd".repeat(20);
    git(remote, ["update-ref", `refs/experiments/${forgedName}`, good[0]!]);
    const bad = plumbExperiment(a, '{ "status": "completed", "schema": 1, "created_at": "2026-01-01T00:00:00.000Z", "created_by": {"name": "x", "email": "y"} }\n');
    git(a, ["push", "-q", remote, `${bad}:refs/experiments/${bad}`]);

    const b = makeClone(remote);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as { added: string[]; rejected: unknown[] };
    expect(s.added).toHaveLength(150);
    expect(s.rejected).toHaveLength(2);
    const refs = git(b, ["for-each-ref", "--format=%(refname:lstrip=2)", "refs/experiments/"]).trim().split("\n");
    expect(refs.sort()).toEqual([...good].sort());
    git(b, ["fsck", "--no-progress", "--connectivity-only"]);
  });

  it("in bulk with a reference-transaction hook, git writes the refs so the hook sees each one", async () => {
    const { remote, a } = await remoteWithImported(110);
    const b = makeClone(remote);
    const hook = join(b, ".git", "hooks", "reference-transaction");
    writeFileSync(hook, '#!/bin/sh\nif [ "$1" = committed ]; then cat >> "$(git rev-parse --git-dir)/seen"; else cat > /dev/null; fi\n');
    chmodSync(hook, 0o755);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const seen = readFileSync(join(b, ".git", "seen"), "utf8");
    const refs = git(b, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim().split("\n");
    expect(refs).toHaveLength(110);
    for (const ref of refs) expect(seen).toContain(` ${ref}\n`);
  });

  it("in bulk, a tree that is not exactly the canonical plain files stays out, each with its reason", async () => {
    const { remote, a } = await remoteWithImported(120);
    const good = git(a, ["for-each-ref", "--format=%(objectname)", "refs/experiments/"]).trim().split("\n");
    const meta = '{"created_at":"2026-01-01T00:00:00.000Z","created_by":{"email":"y","name":"x"},"schema":1,"status":"completed"}\n';
    const who = { name: "x", email: "y", seconds: 1767225600 };
    const text = gitInput(a, ["hash-object", "-w", "--stdin"], "text\n").trim();
    const emptyTree = gitInput(a, ["mktree"], "").trim();
    const hostile = {
      executable: plumbExperiment(a, meta, who, { configMode: "100755", config: '{"lr":2}\n' }),
      symlink: plumbExperiment(a, meta, who, { config: '{"lr":3}\n', entries: `120000 blob ${text}\tlink\n` }),
      submodule: plumbExperiment(a, meta, who, { config: '{"lr":4}\n', entries: `160000 commit ${"e".repeat(40)}\tsub\n` }),
      "not a file": plumbExperiment(a, meta, who, { config: '{"lr":5}\n', entries: `100644 blob ${emptyTree}\tnotes.txt\n` }),
      "empty folder": plumbExperiment(a, meta, who, { config: '{"lr":6}\n', entries: `040000 tree ${emptyTree}\tartifacts\n` }),
      "extra file": plumbExperiment(a, meta, who, { config: '{"lr":7}\n', entries: `100644 blob ${text}\tenv.json\n` }),
    };
    const reasons: Record<keyof typeof hostile, string> = {
      executable: "config.json has mode 100755; experiments hold plain files only",
      symlink: "link has mode 120000; experiments hold plain files only",
      submodule: "sub is a submodule link, not a file",
      "not a file": "notes.txt is a tree, not a file",
      "empty folder": "the tree is not the canonical tree of its files",
      "extra file": "env.json",
    };
    for (const id of Object.values(hostile)) git(a, ["push", "-q", remote, `${id}:refs/experiments/${id}`]);
    // the same layout as the hostile ones, canonical: proves the plumbing itself is right
    const plain = plumbExperiment(a, meta, who, { config: '{"lr":8}\n', entries: `100644 blob ${text}\tnotes.txt\n` });
    git(a, ["push", "-q", remote, `${plain}:refs/experiments/${plain}`]);

    const b = makeClone(remote);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as { added: string[]; rejected: { id: string; reason: string }[] };
    expect(s.added.sort()).toEqual([...good, plain].sort());
    const byId = new Map(s.rejected.map((x) => [x.id, x.reason]));
    for (const [kind, id] of Object.entries(hostile)) expect(byId.get(id), kind).toContain(reasons[kind as keyof typeof hostile]);
    expect(s.rejected).toHaveLength(Object.keys(hostile).length);
    const refs = git(b, ["for-each-ref", "--format=%(refname:lstrip=2)", "refs/experiments/"]).trim().split("\n");
    expect(refs.sort()).toEqual([...good, plain].sort());
    // written straight into packed-refs: git reads them, and they survive git's own repacking
    expect(git(b, ["show-ref", "--verify", `refs/experiments/${plain}`]).trim()).toBe(`${plain} refs/experiments/${plain}`);
    git(b, ["pack-refs", "--all"]);
    expect(git(b, ["for-each-ref", "--format=%(refname)", "refs/experiments/"]).trim().split("\n")).toHaveLength(good.length + 1);
    for (const id of Object.values(hostile)) expect(git(b, ["rev-parse", `refs/exp-incoming/origin/experiments/${id}`]).trim()).toBe(id);
    // from the promoted ones only: git itself objects to the hostile trees left in quarantine
    git(b, ["fsck", "--no-progress", "--connectivity-only", ...refs]);
  });

  /** An experiment written with plumbing in one clone, pushed, and pulled into another. */
  async function pullPlumbed(createdAt: string, title: string): Promise<{ b: string; id: string }> {
    const remote = makeRemote();
    const a = makeClone(remote);
    const meta = `{"created_at":"${createdAt}","created_by":{"email":"y@z","name":"x"},"name":"${title}","schema":1,"status":"completed"}\n`;
    const id = plumbExperiment(a, meta, { name: "x", email: "y@z", seconds: 1767225600, title });
    git(a, ["push", "-q", remote, `${id}:refs/experiments/${id}`]);
    const b = makeClone(remote);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).added).toEqual([id]);
    return { b, id };
  }

  it("accepts an experiment written with plain git plumbing that follows the format", async () => {
    await pullPlumbed("2026-01-01T00:00:00.000Z", "plumbed");
  });

  it("accepts another writer's created_at without milliseconds, as the index reads it", async () => {
    const { b } = await pullPlumbed("2026-01-01T00:00:00Z", "seconds");
    const ls = await cli(b, ["ls", "--json"]);
    expect(JSON.parse(ls.stdout)[0].created_at).toBe("2026-01-01T00:00:00.000Z");
  });

  it("an experiment whose source commit the remote lacks is reported; the others arrive", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const ok = await recordExp(a, "ok");
    const lost = newCommit(a, "second.py");
    const broken = await recordExp(a, "broken");
    await cli(a, ["push"]);
    const loose = join(remote, "objects", lost.slice(0, 2), lost.slice(2));
    expect(existsSync(loose)).toBe(true);
    rmSync(loose);
    const b = makeRepo();
    git(b, ["remote", "add", "origin", remote]);
    const r = await cli(b, ["pull", "--json"]);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as { added: string[]; rejected: { id: string; reason: string }[] };
    expect(s.added).toEqual([ok]);
    expect(s.rejected.map((x) => x.id)).toEqual([broken]);
    expect(s.rejected[0]!.reason).toContain("lacks");
    git(b, ["fsck", "--no-progress", "--connectivity-only"]);
  });
});

describe("checking while the fetch writes refs", () => {
  it("passes exactly the new good experiments that appeared, skipping those already here", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const here = await recordExp(a, "here");
    await cli(a, ["push"]);
    const b = makeClone(remote);
    expect((await cli(b, ["pull"])).code).toBe(0);
    // here is local, and no longer mirrored: the fetch below writes its quarantine ref again
    git(b, ["update-ref", "-d", `refs/exp-incoming/origin/experiments/${here}`]);
    const good = [await recordExp(a, "one"), await recordExp(a, "two")];
    await cli(a, ["push"]);
    const bad = plumbExperiment(a, '{ "status": "completed", "schema": 1, "created_at": "2026-01-01T00:00:00.000Z", "created_by": {"name": "x", "email": "y"} }\n');
    git(a, ["push", "-q", remote, `${bad}:refs/experiments/${bad}`]);
    git(remote, ["update-ref", `refs/experiments/${"cd".repeat(20)}`, good[0]!]);

    const repo = await openRepository(b);
    const ahead = await VerifyAhead.start(repo, "refs/exp-incoming/origin/experiments/", new Set([here]));
    await execFileAsync("git", ["fetch", "-q", "--no-tags", "origin", "+refs/experiments/*:refs/exp-incoming/origin/experiments/*"], { cwd: b });
    const passed = await ahead.finish();
    expect([...passed].sort()).toEqual([...good].sort());
  });
});

describe("init", () => {
  it("makes plain git fetch and git push carry experiments and notes; idempotent; --undo", async () => {
    const remote = makeRemote();
    const a = makeClone(remote);
    const configBefore = git(a, ["config", "--get-regexp", "^remote\\."]);
    const first = await cli(a, ["init", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).added.length).toBeGreaterThan(0);
    const second = await cli(a, ["init", "--json"]);
    expect(JSON.parse(second.stdout).added).toEqual([]);

    const e = await recordExp(a, "plain");
    await cli(a, ["tag", e, "t1"]);
    git(a, ["push", "-q"]);
    expect(git(remote, ["rev-parse", `refs/experiments/${e}`]).trim()).toBe(e);
    expect(git(remote, ["rev-parse", "refs/notes/experiments"]).trim()).toBe(git(a, ["rev-parse", "refs/notes/experiments"]).trim());
    expect(git(remote, ["rev-parse", "refs/heads/main"]).trim()).toBe(git(a, ["rev-parse", "HEAD"]).trim());

    const b = makeClone(remote);
    expect((await cli(b, ["init"])).code).toBe(0);
    git(b, ["fetch", "-q"]);
    // a plain fetch lands in quarantine only
    expect(git(b, ["for-each-ref", "refs/experiments/"])).toBe("");
    expect(git(b, ["rev-parse", `refs/exp-incoming/origin/experiments/${e}`]).trim()).toBe(e);
    const promoted = await cli(b, ["pull", "--no-fetch"]);
    expect(promoted.stdout).toContain("1 new");
    expect(await annotationsOf(b, e)).toEqual(await annotationsOf(a, e));

    expect((await cli(a, ["init", "--undo"])).code).toBe(0);
    expect(git(a, ["config", "--get-regexp", "^remote\\."])).toBe(configBefore);
  });

  it("refuses a remote that does not exist, writing nothing", async () => {
    const a = makeRepo({ commit: true });
    const before = git(a, ["config", "--list", "--local"]);
    const r = await cli(a, ["init", "nowhere"]);
    expect(r.code).toBe(3);
    expect(git(a, ["config", "--list", "--local"])).toBe(before);
  });
});

/** An experiment commit made with plain git plumbing; its ref name is its id. */
function plumbExperiment(
  dir: string,
  meta: string,
  who: { name: string; email: string; seconds: number; title?: string } = { name: "x", email: "y", seconds: 1767225600 },
  tree: { configMode?: string; config?: string; entries?: string } = {},
): string {
  const blob = (text: string): string => gitInput(dir, ["hash-object", "-w", "--stdin"], text).trim();
  const metaId = blob(meta);
  const config = blob(tree.config ?? '{"lr":1}\n');
  const results = blob('{"acc":1}\n');
  const lines = `${tree.configMode ?? "100644"} blob ${config}\tconfig.json\n100644 blob ${metaId}\texperiment.json\n100644 blob ${results}\tresults.json\n`;
  const treeId = writeTree(dir, lines + (tree.entries ?? ""));
  const msg = `exp: ${who.title ?? config.slice(0, 12)}\n\nConfig: ${config}\n`;
  const date = `@${who.seconds} +0000`;
  return gitInput(dir, ["commit-tree", treeId], msg, {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  }).trim();
}

/**
 * A tree from `mktree`-style lines, written byte by byte: unlike mktree it takes what a
 * hostile writer could send, such as a file mode on a tree object.
 */
function writeTree(dir: string, lines: string): string {
  const entries = lines
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [head, name] = line.split("\t") as [string, string];
      const [mode, type, id] = head.split(" ") as [string, string, string];
      return { mode: mode.replace(/^0+/, ""), name, id, sortKey: type === "tree" ? `${name}/` : name };
    })
    .sort((x, y) => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : 0));
  const body = Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.id, "hex")])));
  return execFileSync("git", ["hash-object", "-t", "tree", "-w", "--stdin"], { cwd: dir, input: body, encoding: "utf8" }).trim();
}

import { afterAll, expect, it } from "vitest";
import { Workspace } from "../src/api/workspace.js";
import { gitIdentity } from "../src/store/identity.js";
import { TEST_ENV, cleanup, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

it("git runs in the workspace's environment, not the process's", async () => {
  const dir = makeRepo();
  const name = "Only In The Workspace";
  const ws = new Workspace({ cwd: dir, env: { ...process.env, ...TEST_ENV, GIT_AUTHOR_NAME: name } });
  try {
    expect(await gitIdentity(await ws.repo())).toEqual({ name, email: TEST_ENV["GIT_AUTHOR_EMAIL"] });
    expect(process.env["GIT_AUTHOR_NAME"]).not.toBe(name);
  } finally {
    await ws.close();
  }
});

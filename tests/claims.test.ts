import { afterAll, describe, expect, it } from "vitest";
import { claimTrial, finishClaim, listClaims, takeOverClaim, type Holder } from "../src/store/claims.js";
import { openRepository } from "../src/store/repository.js";
import { cleanup, git, makeRepo } from "./helpers/repo.js";

afterAll(cleanup);

function holder(worker: string): Holder {
  return { executor: "slurm", worker, display: `1_${worker}`, host: "node1", pid: 1, restarts: 0, at: "2026-12-02T10:00:00.000Z" };
}

describe("claims: create-only refs that workers race on", () => {
  it("of 12 workers claiming one trial at once, exactly one wins; the others see it held", async () => {
    const repo = await openRepository(makeRepo({ commit: true }));
    const won = await Promise.all(Array.from({ length: 12 }, (_, i) => claimTrial(repo, "s1", 0, holder(String(i)))));
    expect(won.filter((w) => w !== undefined)).toHaveLength(1);
    const [claim] = await listClaims(repo, "s1");
    expect(claim).toMatchObject({ index: 0, done: false });
    const winner = won.findIndex((w) => w !== undefined);
    expect(claim!.done === false && claim!.holder?.worker).toBe(String(winner));
  });

  it("a dead claim is taken over by exactly one of several takers; a recorded trial is never claimed again", async () => {
    const dir = makeRepo({ commit: true });
    const repo = await openRepository(dir);
    const first = (await claimTrial(repo, "s2", 3, holder("dead")))!;
    const taken = await Promise.all(Array.from({ length: 8 }, (_, i) => takeOverClaim(repo, "s2", 3, first, holder(`t${i}`))));
    const winner = taken.find((t) => t !== undefined)!;
    expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
    // the loser of a race cannot finish what it does not hold
    const head = git(dir, ["rev-parse", "HEAD"]).trim();
    expect(await finishClaim(repo, "s2", 3, first, head)).toBe(false);
    expect(await finishClaim(repo, "s2", 3, winner, head)).toBe(true);
    expect(await listClaims(repo, "s2")).toEqual([{ index: 3, oid: head, done: true, experiment: head }]);
    expect(await claimTrial(repo, "s2", 3, holder("late"))).toBeUndefined();
    expect(await takeOverClaim(repo, "s2", 3, winner, holder("late"))).toBeUndefined();
    // claims stay out of the experiment namespace
    expect(git(dir, ["for-each-ref", "refs/experiments/"])).toBe("");
  });
});

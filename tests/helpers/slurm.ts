import { execFileSync, spawnSync } from "node:child_process";

/** Whether a Slurm cluster can be submitted to here (scripts/slurm-local.sh starts one). */
export function slurmHere(): boolean {
  return spawnSync("sh", ["-c", "command -v sbatch && sinfo -h"], { encoding: "utf8" }).status === 0;
}

/**
 * In CI the cluster tests must run: a missing sbatch fails them there; elsewhere they are
 * skipped, with a message saying how to run them.
 */
export function requireSlurmOrSkip(): boolean {
  const here = slurmHere();
  if (!here && process.env["CI"] === "true") {
    throw new Error("CI=true but no Slurm cluster answers (sbatch/sinfo): .ci/run starts one with scripts/slurm-local.sh");
  }
  if (!here) console.warn("Slurm tests skipped: no sbatch here; run scripts/slurm-local.sh (as root) to start a one-node cluster");
  return here;
}

/** Poll until `check` returns a value (not undefined), at most `ms`; the event, not a fixed sleep. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `squeue` lines of a job: task -> state, ended ones included. */
export function taskStates(job: string): Map<string, string> {
  const r = spawnSync("squeue", ["-h", "-r", "-t", "all", "-j", job, "-o", "%i %T"], { encoding: "utf8" });
  const out = new Map<string, string>();
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [id, state] = line.split(" ");
    out.set(id!, state!);
  }
  return out;
}

const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$/;

/** Wait until every task of a job has ended. */
export async function jobEnded(job: string, ms = 60_000): Promise<Map<string, string>> {
  return waitFor(`job ${job} to end`, () => {
    const s = taskStates(job);
    return s.size > 0 && [...s.values()].every((v) => ENDED.test(v)) ? s : undefined;
  }, ms);
}

export function scontrol(args: string[]): string {
  return execFileSync("scontrol", args, { encoding: "utf8" });
}

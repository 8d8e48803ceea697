import { spawn } from "node:child_process";
import { open, readlink, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import { shellQuote } from "../../core/shell-words.js";
import type { Interruption } from "../run.js";
import { which } from "../which.js";
import type { Executor, JobRequest, Submitted, WorkState, WorkerSelf } from "./executor.js";

/**
 * Slurm: a study is one array job (`sbatch --array=0-(n-1)%N`), each task a worker. Only the
 * client commands are used (sbatch, squeue, scontrol, scancel), as a user types them.
 */
export const slurm: Executor = {
  name: "slurm",

  defaults: checkDefaults,

  async checkAvailable(environ, cwd) {
    if (!(await which("sbatch", environ, cwd))) {
      throw new EnvironmentError(
        "sbatch is not on PATH: run on a machine that submits to your Slurm cluster (a login node), or start a one-node cluster here with scripts/slurm-local.sh; nothing was submitted or recorded",
      );
    }
  },

  async submit(job) {
    const script = jobScript(job);
    const file = join(job.studyDir, "job.sh");
    await writeFile(file, script, { mode: 0o755 });
    const shared = job.inlineStudy === undefined;
    const fixed = [
      `--job-name=git-exp-${job.sweepId}`,
      `--array=0-${job.tasks - 1}${job.atOnce ? `%${job.atOnce}` : ""}`,
      // without a shared filesystem the log stays on the node: /tmp/git-exp-<sweep>-<job>_<task>.out
      shared ? `--output=${join(job.studyDir, "slurm-%A_%a.out")}` : "--output=%x-%A_%a.out",
      `--chdir=${shared ? job.cwd : "/tmp"}`,
    ];
    // Later options win in sbatch: gitexp.json's defaults, then what the user typed.
    const args = ["--parsable", ...fixed, ...defaultArgs(job.defaults), ...job.args, file];
    const r = await client("sbatch", args, job.environ, job.cwd);
    if (r.code !== 0) {
      const said = r.stderr.trim().replace(/\n+/g, "; ") || `exit code ${r.code}`;
      const unreachable = /unable to contact|connection refused|socket timed out|zero bytes|communications? (connection )?failure/i.test(said);
      const message = `Slurm refused the job (${said}); nothing was submitted or recorded`;
      throw unreachable ? new EnvironmentError(message) : new InvalidInputError(message);
    }
    const id = r.stdout.trim().split(";")[0]!;
    if (!/^\d+$/.test(id)) throw new EnvironmentError(`sbatch answered '${r.stdout.trim()}', not a job id`);
    return { job: id, script: ["sbatch", ...args].map(shellQuote).join(" ") } satisfies Submitted;
  },

  async states(ids, environ) {
    if (ids.length === 0) return [];
    const r = await client("squeue", ["-h", "-r", "-t", "all", "-j", ids.join(","), "-o", "%A|%F|%K|%i|%T|%r|%N"], environ);
    // Jobs Slurm no longer knows (ended longer ago than MinJobAge): an error for squeue, ended for us.
    if (r.code !== 0 && /invalid job id/i.test(r.stderr)) return [];
    if (r.code !== 0) throw new EnvironmentError(`squeue failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
    return r.stdout.split("\n").filter(Boolean).map(parseState);
  },

  async cancel(ids, environ) {
    const r = await client("scancel", ids, environ);
    if (r.code === 0) return;
    if (/invalid job id/i.test(r.stderr)) throw new NotFoundError(`Slurm knows no job ${ids.join(", ")}: ${r.stderr.trim()}`);
    throw new EnvironmentError(`scancel failed: ${r.stderr.trim() || `exit code ${r.code}`}`);
  },

  self(environ) {
    const worker = environ["SLURM_JOB_ID"];
    const task = environ["SLURM_ARRAY_TASK_ID"];
    if (!worker || task === undefined || !/^\d+$/.test(task)) return undefined;
    const job = environ["SLURM_ARRAY_JOB_ID"] ?? worker;
    const facts: JsonObject = {};
    const put = (key: string, variable: string): void => {
      const v = environ[variable];
      if (v !== undefined && v !== "") facts[key] = v;
    };
    put("job_id", "SLURM_JOB_ID");
    put("array_job_id", "SLURM_ARRAY_JOB_ID");
    put("array_task_id", "SLURM_ARRAY_TASK_ID");
    put("node", "SLURMD_NODENAME");
    put("partition", "SLURM_JOB_PARTITION");
    put("cluster", "SLURM_CLUSTER_NAME");
    put("account", "SLURM_JOB_ACCOUNT");
    put("qos", "SLURM_JOB_QOS");
    put("cpus_on_node", "SLURM_CPUS_ON_NODE");
    put("restart_count", "SLURM_RESTART_COUNT");
    put("gpus", "SLURM_JOB_GPUS");
    put("cuda_visible_devices", "CUDA_VISIBLE_DEVICES");
    return {
      worker,
      display: `${job}_${task}`,
      job,
      task: Number(task),
      restarts: Number(environ["SLURM_RESTART_COUNT"] ?? 0) || 0,
      node: environ["SLURMD_NODENAME"] ?? "",
      facts,
    } satisfies WorkerSelf;
  },

  logOf({ studyDir, sweep, job, task, shared }) {
    // as submit's --output says: %A_%a in the study folder, or %x-%A_%a in the node's /tmp
    return shared ? join(studyDir, `slurm-${job}_${task}.out`) : `/tmp/git-exp-${sweep}-${job}_${task}.out`;
  },

  async whyStopped(self, environ) {
    const by = "slurm";
    // A requeued job runs again from the start (SLURM_RESTART_COUNT + 1): record it then, not now.
    const shown = await client("scontrol", ["show", "job", "-o", self.worker], environ).catch(() => undefined);
    const restarts = Number(/\bRestarts=(\d+)/.exec(shown?.stdout ?? "")?.[1] ?? self.restarts);
    if (restarts > self.restarts) return { by, reason: "requeued", record: false };
    // slurmstepd writes why into the job's own output just before it signals.
    const said = await stepdNotice(self.worker);
    if (said === "JOB REQUEUE") return { by, reason: "requeued", record: false };
    if (said === "TIME LIMIT") return { by, reason: "time limit", record: true };
    if (said === "PREEMPTION") return { by, reason: "preempted", record: true };
    if (said === "NODE FAILURE") return { by, reason: "node failure", record: true };
    if (said === "") return { by, reason: "cancelled (scancel)", record: true };
    if (said !== undefined) return { by, reason: said.toLowerCase(), record: true };
    return { by, reason: "SIGTERM from Slurm", record: true } satisfies Interruption;
  },
};

/**
 * The batch script: the worker, run where sbatch was typed (--chdir), and nothing else; a
 * study the nodes cannot read is the worker's input, in a quoted here-document (one line of
 * JSON, nothing in it expanded).
 */
function jobScript(job: JobRequest): string {
  const exec = `exec ${job.workerArgv.map(shellQuote).join(" ")}`;
  return [
    "#!/bin/sh",
    `# git-exp study ${job.sweepId}: ${job.tasks} array task(s), each one git exp worker.`,
    ...(job.inlineStudy === undefined ? [exec] : [`${exec} <<'GIT_EXP_STUDY'`, job.inlineStudy.trimEnd(), "GIT_EXP_STUDY"]),
    "",
  ].join("\n");
}

/** gitexp.json's `"slurm": {"partition": "gpu", "requeue": true}` as sbatch options. */
function defaultArgs(defaults: JsonObject): string[] {
  return Object.entries(defaults).flatMap(([k, v]) => {
    const flag = `--${k.replace(/_/g, "-")}`;
    if (v === true) return [flag];
    if (v === false || v === null) return [];
    return [`${flag}=${String(v)}`];
  });
}

/** Checked when gitexp.json is read, so that a bad default is refused before anything runs. */
function checkDefaults(value: JsonValue | undefined, file: string): JsonObject {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${file}: "slurm" must be an object of sbatch options, e.g. {"partition": "gpu", "time": "4:00:00"}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (!/^[a-z][a-z0-9_-]*$/.test(k)) throw new InvalidInputError(`${file}: slurm.${k}: give an sbatch long option name without dashes (partition, gres, time)`);
    if (!["string", "number", "boolean"].includes(typeof v)) throw new InvalidInputError(`${file}: slurm.${k}: a value is a string, a number or true`);
    if (["array", "output", "chdir", "job-name", "job_name", "parsable", "wrap"].includes(k)) {
      throw new InvalidInputError(`${file}: slurm.${k} is set by git exp run --on slurm itself`);
    }
  }
  return value;
}

const ENDED = new Set(["BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "TIMEOUT", "REVOKED", "SPECIAL_EXIT"]);
const PENDING = new Set(["PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED"]);
/** Pending reasons that only the user can clear: the job asks for more than the partition or account allows. */
const CANNOT_START = new Set([
  "PartitionConfig",
  "PartitionTimeLimit",
  "PartitionNodeLimit",
  "BadConstraints",
  "InvalidAccount",
  "InvalidQOS",
  "AccountNotAllowed",
  "QOSNotAllowed",
  "DependencyNeverSatisfied",
  "QOSMaxWallDurationPerJobLimit",
  "AssocMaxWallDurationPerJobLimit",
]);

function parseState(line: string): WorkState {
  const [id, , task, display, detail, reason, node] = line.split("|");
  const state = ENDED.has(detail!) ? "ended" : PENDING.has(detail!) ? "pending" : "running";
  const out: WorkState = { id: id!, state, detail: detail!, display: display! };
  if (task && /^\d+$/.test(task)) out.task = Number(task);
  if (state === "pending" && reason && reason !== "None") {
    out.reason = reason;
    if (CANNOT_START.has(reason)) out.cannotStart = true;
    // Held (by a user, an admin, or Slurm after a failed launch): it waits for `scontrol release`.
    if (/held/i.test(reason)) out.held = true;
  }
  if (detail === "CANCELLED") out.cancelled = true;
  if (node && !node.startsWith("(")) out.node = node;
  return out;
}

/**
 * `*** JOB 12 ON node CANCELLED AT 2026-12-02T14:29:08 DUE TO TIME LIMIT ***`, which
 * slurmstepd writes to the job's stderr: the "DUE TO" part ("" for a plain scancel), or
 * undefined when stderr is not a file or says nothing (yet; it is looked at a few times).
 */
async function stepdNotice(jobId: string): Promise<string | undefined> {
  const file = await readlink("/proc/self/fd/2").catch(() => undefined);
  if (!file || !(await stat(file).then((s) => s.isFile(), () => false))) return undefined;
  const re = new RegExp(`\\*\\*\\* JOB ${jobId} ON \\S+ CANCELLED AT \\S+(?: DUE TO ([A-Z ]+?))? \\*\\*\\*`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const m = re.exec(await tail(file, 8192));
    if (m) return m[1] ?? "";
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function tail(file: string, bytes: number): Promise<string> {
  const h = await open(file, "r");
  try {
    const { size } = await h.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await h.read(buf, 0, buf.length, start);
    return buf.toString("utf8");
  } finally {
    await h.close();
  }
}

interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One Slurm client command; a missing client is an environment error (exit 4). */
function client(cmd: string, args: string[], environ: NodeJS.ProcessEnv, cwd?: string): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: environ, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new EnvironmentError(`${cmd} is not on PATH: git-exp needs the Slurm client commands (sbatch, squeue, scancel)`, { cause: e }) : e),
    );
    child.on("close", (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

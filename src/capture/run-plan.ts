import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { InvalidInputError, NotFoundError, UsageError } from "../core/errors.js";
import { checkNewName, checkTag } from "../core/experiment.js";
import type { JsonObject } from "../core/json.js";
import { loadConfigFile, parseParamOption, parseParamValue, type ParamAxis } from "./params.js";
import { expandSweep, loadGrid, type SweepPoint } from "./sweep.js";
import { existsNotExecutable, which } from "./which.js";

/** What `git exp run` was asked to do, as options (the CLI's flags, or a library call). */
export interface RunRequest {
  /** The command and its arguments; one string with spaces runs through `sh -c`. */
  command: string[];
  /** Where the command runs and relative paths are read. */
  cwd: string;
  environ: NodeJS.ProcessEnv;
  configFile?: string;
  /** `key.path=value` or `key.path=v1,v2,...` (a sweep axis). */
  params?: string[];
  gridFile?: string;
  /** `N` or `N1,N2,...`: sets config.seed and exports GIT_EXP_SEED and PYTHONHASHSEED. */
  seed?: string;
  name?: string;
  message?: string;
  tags?: string[];
  /** A metrics JSON file the command writes: the final results. */
  resultsFile?: string;
  inputs?: string[];
  outputs?: string[];
  /** Outputs also kept as blobs under artifacts/ when under `storeMaxBytes`. */
  storeOutputs?: string[];
  storeMaxBytes?: number;
  /** Environment variables to record beyond the allow-list. */
  envNames?: string[];
  requireClean?: boolean;
  jobs?: number;
  failFast?: boolean;
  /** Probe the environment again instead of using the per-machine cache. */
  refreshEnv?: boolean;
  /** Seconds between system metrics samples (default 10; the first comes at 1 s). */
  systemIntervalS?: number;
  /** No system metrics over time (the peaks in `resources` are still measured). */
  noSystemMetrics?: boolean;
}

/** A request checked and expanded: everything that can be refused has been, nothing has run. */
export interface RunPlan {
  request: RunRequest;
  /** What is executed: argv, or ["sh", "-c", line]. */
  argv: string[];
  points: SweepPoint[];
  jobs: number;
  /** Extra experiment.json keys every point records (a rerun's `reproduces` and `parents`). */
  meta?: JsonObject;
  /** A point cut short by Ctrl-C is not recorded (a rerun: nothing to compare); run records it. */
  discardInterrupted?: boolean;
  /** Set when the plan is one trial of a study that a scheduler runs (git exp worker). */
  trial?: TrialContext;
}

/** Who a trial is within its study, and what the scheduler running it says. */
export interface TrialContext {
  /**
   * experiment.json's `sweep` (index counts from 1), without params (the point's own); a
   * search's trials also name the metric it optimises and its goal (`git exp sweeps` ranks by them).
   */
  sweep: { id: string; index: number; size: number; method: string; metric?: string; goal?: string };
  /** The scheduler's facts (job, node, GPUs), added to env.json. */
  env: JsonObject;
  /**
   * Added to the live record, so `ls --running` on any node can show the run and ask whether
   * it still runs; absent for a search run here (its trials are this process's children).
   */
  live?: { host: string; job: string; worker: string; executor: string };
}

/**
 * How the run was captured, kept in experiment.json as `run_options` so `repro` captures
 * the rerun the same way: paths as the user gave them, relative to the command's folder.
 */
export function runOptions(r: RunRequest): JsonObject | undefined {
  const out: JsonObject = {};
  if (r.resultsFile) out["results"] = r.resultsFile;
  if (r.inputs?.length) out["inputs"] = r.inputs;
  if (r.outputs?.length) out["outputs"] = r.outputs;
  if (r.storeOutputs?.length) out["store_outputs"] = r.storeOutputs;
  if (r.storeMaxBytes !== undefined) out["store_max_bytes"] = r.storeMaxBytes;
  if (r.envNames?.length) out["env"] = r.envNames;
  return Object.keys(out).length ? out : undefined;
}

export const DEFAULT_STORE_MAX_BYTES = 1 << 20;

/** Check a request before anything runs or is written; throws the error a user can act on. */
export async function planRun(request: RunRequest): Promise<RunPlan> {
  const argv = await resolveCommand(request);
  if (request.name !== undefined) checkNewName(request.name);
  for (const t of request.tags ?? []) checkTag(t);
  const jobs = request.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`-j takes a whole number above 0, not ${jobs}`);
  if (request.storeMaxBytes !== undefined && !(request.storeMaxBytes >= 0)) {
    throw new UsageError("--store-max-size takes a size in bytes (or with K, M, G)");
  }
  const interval = request.systemIntervalS;
  if (interval !== undefined && !(Number.isFinite(interval) && interval >= 0.1 && interval <= 86_400)) {
    throw new UsageError(`--system-interval takes seconds between 0.1 and 86400, not ${interval}`);
  }
  for (const p of request.inputs ?? []) await mustExist(resolve(request.cwd, p), "--input");
  const base: JsonObject = request.configFile ? await loadConfigFile(resolve(request.cwd, request.configFile)) : {};
  const axes: ParamAxis[] = request.gridFile ? await loadGrid(resolve(request.cwd, request.gridFile)) : [];
  const given = (request.params ?? []).map(parseParamOption);
  if (request.seed !== undefined) given.push(seedAxis(request.seed));
  checkDistinct(given);
  return { request, argv, points: expandSweep(base, [...axes, ...given]), jobs };
}

/**
 * Two -p of one key, or of a key and a group holding it (-p a=2 -p a.b=1), would silently
 * keep only the last: refused, since a user giving both meant something else (a sweep is
 * -p lr=0.1,0.01). A -p may still override the config or grid file.
 */
function checkDistinct(axes: ParamAxis[]): void {
  const keys = axes.map((a) => a.path.join("."));
  keys.forEach((k, i) => {
    const clash = keys.find((o, j) => j !== i && (o === k || o.startsWith(`${k}.`)));
    if (clash === undefined) return;
    throw new UsageError(
      clash === k
        ? `${k} is given twice${k === "seed" ? " (-p seed and --seed)" : ""}; for a sweep, list the values in one option: -p ${k}=v1,v2`
        : `-p ${k} would replace the group that -p ${clash} sets a key in; give one or the other`,
    );
  });
}

function seedAxis(text: string): ParamAxis {
  const values = text.split(",").map(parseParamValue);
  for (const v of values) {
    if (!(typeof v === "bigint" ? v >= 0n : typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      throw new InvalidInputError(`--seed ${text}: a seed is a whole number of 0 or more (or a comma-separated list)`);
    }
  }
  return { path: ["seed"], values };
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    await stat(path);
  } catch {
    throw new NotFoundError(`${what} ${path} does not exist; give an existing file or directory`);
  }
}

/** The command as it will be executed, refused here when it cannot start. */
async function resolveCommand(r: RunRequest): Promise<string[]> {
  const cmd = r.command;
  if (cmd.length === 0 || cmd[0] === "") {
    throw new UsageError("give the command to run after --, for example: git exp run -- python train.py");
  }
  if (cmd.length === 1 && /\s/.test(cmd[0]!.trim())) return ["sh", "-c", cmd[0]!];
  const found = await which(cmd[0]!, r.environ, r.cwd);
  if (found) return cmd;
  const asPath = resolve(r.cwd, cmd[0]!);
  if (cmd[0]!.includes("/") && (await existsNotExecutable(asPath))) {
    throw new InvalidInputError(
      `${cmd[0]} is not executable: make it so (chmod +x ${cmd[0]}) or run it through its interpreter (python ${cmd[0]})`,
    );
  }
  if (!cmd[0]!.includes("/") && (await existsNotExecutable(asPath))) {
    throw new NotFoundError(`command '${cmd[0]}' not found on PATH; to run the file here, write ./${cmd[0]} or python ${cmd[0]}`);
  }
  throw new NotFoundError(`command '${cmd[0]}' not found${cmd[0]!.includes("/") ? "" : " on PATH"}; check its spelling and that it is installed`);
}

import { stat } from "node:fs/promises";
import { join } from "node:path";
import { InterruptedError, InvalidInputError, NotFoundError } from "../core/errors.js";
import { treePath, type Experiment } from "../core/experiment.js";
import type { JsonObject } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { checksumFiles, type FileSum } from "./checksums.js";
import { captureEnvironment } from "./environment.js";
import { checkInputs, type InputProblem } from "./input-check.js";
import { buildExperiment } from "./record.js";
import { runCommand, type CommandRun } from "./run-command.js";
import { checkoutTemporary } from "./worktree.js";

export interface RerunOptions {
  /** Run even when recorded inputs are missing or changed; the rerun records what it read. */
  allowChangedInputs?: boolean;
  environ?: NodeJS.ProcessEnv;
  /** The command's stdout and stderr, as it prints them. */
  onOutput?: (text: string) => void;
  /** Aborted (the user pressed Ctrl-C): the command is stopped, nothing is recorded. */
  signal?: AbortSignal;
  /** env.json of the rerun; by default captured as `git exp run` captures it, so the two compare. */
  captureEnv?: () => JsonObject | Promise<JsonObject>;
}

export interface RerunResult {
  originalId: string;
  original: Experiment;
  id: string;
  status: "created" | "exists";
  experiment: Experiment;
  run: CommandRun;
  /** Inputs that were missing or changed (only non-empty with allowChangedInputs). */
  inputProblems: InputProblem[];
}

const PATCH = "patch.diff";

/** The command an experiment recorded, refused when there is none or it is not a list of strings. */
export function recordedCommand(id: string, exp: Experiment): string[] {
  const short = id.slice(0, 12);
  const command: unknown = exp.meta.command;
  if (!Array.isArray(command) || command.length === 0 || command[0] === "") {
    throw new InvalidInputError(`experiment ${short} has no recorded command, so there is nothing to rerun; record runs with their command to make them reproducible`);
  }
  if (!command.every((a) => typeof a === "string")) {
    throw new InvalidInputError(`experiment ${short} recorded a command that is not a list of strings (${JSON.stringify(command).slice(0, 200)}): it cannot be run as recorded`);
  }
  return command as string[];
}

/** What makes a rerun impossible, found before anything is checked out. */
function preflight(id: string, exp: Experiment): { command: string[]; commit: string } {
  const short = id.slice(0, 12);
  const command = recordedCommand(id, exp);
  const commit = exp.meta.source?.commit;
  if (!commit) throw new NotFoundError(`experiment ${short} has no source commit: it was recorded outside a commit, so its code cannot be rebuilt`);
  return { command, commit };
}

function describeProblems(problems: InputProblem[]): string {
  const shown = problems.slice(0, 5).map((p) => `${p.path} (${p.kind})`);
  return shown.join(", ") + (problems.length > 5 ? `, and ${problems.length - 5} more` : "");
}

function refuseInputs(id: string, problems: InputProblem[]): never {
  const what = `experiment ${id.slice(0, 12)} read inputs that are ${describeProblems(problems)}`;
  const hint = "restore them, or pass --allow-changed-inputs to rerun anyway";
  if (problems.some((p) => p.kind === "changed")) throw new InvalidInputError(`${what}; ${hint}`);
  throw new NotFoundError(`${what}; ${hint}`);
}

/**
 * Rerun an experiment exactly as recorded: a temporary worktree at its source commit with
 * its patch.diff applied, the same config, seed and command; then record the new run with
 * `parents` set to the original. Refused before anything is written when the experiment
 * has no command, its source commit is missing, or its inputs are missing or changed.
 */
export async function rerun(store: ExperimentStore, originalId: string, options: RerunOptions = {}): Promise<RerunResult> {
  const original = await store.read(originalId);
  const { command, commit } = preflight(originalId, original);
  const patch = original.files[PATCH];
  const tree = await checkoutTemporary(store.repo, commit, patch);
  try {
    const inputs = await checkInputs(original.inputs, tree.dir, store.repo.workTree);
    if (inputs.problems.length > 0 && !options.allowChangedInputs) refuseInputs(originalId, inputs.problems);
    const folder = treePath(original.meta.source?.path);
    const run = await runCommand({
      command,
      cwd: folder ? join(tree.dir, ...folder.split("/")) : tree.dir,
      scratch: tree.scratch,
      config: original.config,
      environ: options.environ ?? process.env,
      onOutput: options.onOutput,
      signal: options.signal,
    });
    if (options.signal?.aborted) throw new InterruptedError(`rerun of ${originalId.slice(0, 12)} interrupted: nothing recorded`);
    const experiment = await buildExperiment(store, {
      config: original.config,
      results: run.results,
      series: run.series,
      name: original.meta.name,
      message: `repro of ${originalId}`,
      status: run.exitCode === 0 ? "completed" : "failed",
      command,
      meta: { parents: [originalId], exit_code: run.exitCode, duration_s: Math.round(run.durationS * 1000) / 1000 },
      env: options.captureEnv ? await options.captureEnv() : await fullEnv(store, options.environ ?? process.env, tree.dir),
      outputSums: await outputsAgain(original, tree.dir),
      files: patch && patch.length > 0 ? { [PATCH]: patch } : {},
      environ: options.environ,
    });
    // The code is the original's, not the work tree's the user is in now.
    experiment.meta.source = { commit, branch: null, dirty: Boolean(patch && patch.length > 0), ...(folder ? { path: folder } : {}) };
    if (Object.keys(inputs.inputs).length > 0) experiment.inputs = inputs.inputs;
    else delete experiment.inputs;
    const [outcome] = await store.write([experiment]);
    return { originalId, original, id: outcome!.id, status: outcome!.status, experiment, run, inputProblems: inputs.problems };
  } finally {
    await tree.remove();
  }
}

/** The rerun's environment, probed (and cached) exactly as `git exp run` does for the original. */
async function fullEnv(store: ExperimentStore, environ: NodeJS.ProcessEnv, cwd: string): Promise<JsonObject> {
  return (await captureEnvironment({ environ, cwd, cacheDir: store.repo.expDir })).env;
}

/**
 * The original's outputs, checksummed again where the rerun wrote them: a model file that
 * differs is often the first sign a run does not reproduce. Outputs the rerun did not write
 * are left out (the diff shows them as removed); paths outside the tree are not looked for.
 */
async function outputsAgain(original: Experiment, dir: string): Promise<Record<string, FileSum> | undefined> {
  const present: string[] = [];
  for (const key of Object.keys(original.outputs ?? {})) {
    const path = treePath(key) && join(dir, ...key.split("/"));
    if (path && (await stat(path).then((st) => st.isFile(), () => false))) present.push(path);
  }
  if (present.length === 0) return undefined;
  return Object.fromEntries((await checksumFiles(present, dir)).map((f) => [f.key, f.sum]));
}

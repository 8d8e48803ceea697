import { join } from "node:path";
import { InvalidInputError, NotFoundError } from "../core/errors.js";
import { treePath, type Experiment } from "../core/experiment.js";
import { isJsonObject, type JsonValue } from "../core/json.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import type { FileSum } from "./checksums.js";
import { commandFiles } from "./command-files.js";
import { checkInputs, type InputProblem } from "./input-check.js";
import type { RunPlan, RunRequest } from "./run-plan.js";
import { runPoint } from "./run-point.js";
import { RunController, startRun, type RunHooks, type RunOutcome } from "./run-session.js";
import { checkoutTemporary } from "./worktree.js";
import { shortId } from "../core/ids.js";

export interface RerunOptions {
  /** Run even when recorded inputs are missing or changed; the rerun records what it read. */
  allowChangedInputs?: boolean;
  environ?: NodeJS.ProcessEnv;
  /** The command's output and warnings, as `run` reports them. */
  hooks?: RunHooks;
  /** Pass Ctrl-C to the command: the rerun is then not recorded (InterruptedError). */
  controller?: RunController;
}

export interface RerunResult {
  originalId: string;
  original: Experiment;
  id: string;
  status: "created" | "exists";
  experiment: Experiment;
  outcome: RunOutcome;
  /** Inputs that were missing or changed (only non-empty with allowChangedInputs). */
  inputProblems: InputProblem[];
  /** Files the command names that the source commit does not hold. */
  missingFiles: string[];
}

const PATCH = "patch.diff";

/** The command an experiment recorded, refused when there is none or it is not a list of strings. */
export function recordedCommand(id: string, exp: Experiment): string[] {
  const short = shortId(id);
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
  const short = shortId(id);
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
  const what = `experiment ${shortId(id)} read inputs that are ${describeProblems(problems)}`;
  const hint = "restore them, or pass --allow-changed-inputs to rerun anyway";
  if (problems.some((p) => p.kind === "changed")) throw new InvalidInputError(`${what}; ${hint}`);
  throw new NotFoundError(`${what}; ${hint}`);
}

/**
 * The options the original was captured with (experiment.json `run_options`), so the rerun
 * reads the same results file and checksums the same outputs. An experiment from before
 * they were kept has its outputs looked for at the paths outputs.json names.
 */
function capturedAs(original: Experiment, folder: string | undefined): Partial<RunRequest> {
  const o = original.meta["run_options"];
  const strs = (v: JsonValue | undefined): string[] | undefined =>
    Array.isArray(v) && v.every((x): x is string => typeof x === "string") ? v : undefined;
  if (isJsonObject(o)) {
    return {
      resultsFile: typeof o["results"] === "string" ? o["results"] : undefined,
      outputs: strs(o["outputs"]),
      storeOutputs: strs(o["store_outputs"]),
      storeMaxBytes: typeof o["store_max_bytes"] === "number" ? o["store_max_bytes"] : undefined,
      envNames: strs(o["env"]),
    };
  }
  // Older experiments: outputs.json keys are tree paths; the command ran in `folder`.
  const depth = folder ? folder.split("/").length : 0;
  const outputs = Object.keys(original.outputs ?? {})
    .filter((k) => treePath(k))
    .map((k) => (folder && k.startsWith(folder + "/") ? k.slice(folder.length + 1) : "../".repeat(depth) + k));
  return outputs.length ? { outputs } : {};
}

/**
 * The rerun's name: the original's name stays the original's, so `<name>~repro`, then
 * `<name>~repro2`, ... for later reruns. Unnamed originals give unnamed reruns.
 */
async function rerunName(store: ExperimentStore, original: Experiment): Promise<string | undefined> {
  const name = original.meta.name;
  if (name === undefined) return undefined;
  const base = name.replace(/~repro\d*$/, "");
  for (let n = 1; ; n++) {
    const candidate = `${base}~repro${n === 1 ? "" : n}`;
    if (!(await store.nameTaken(candidate))) return candidate;
  }
}

/**
 * Rerun an experiment exactly as recorded, through the same engine as `git exp run`: a
 * temporary worktree at its source commit with its patch.diff applied, the same config,
 * seed, command and capture options (results file, outputs, extra variables); the new run
 * records `reproduces` and `parents` with the original's id. Refused before anything is
 * written when the experiment has no command, its source commit is missing, or its inputs
 * are missing or changed.
 */
export async function rerun(store: ExperimentStore, originalId: string, options: RerunOptions = {}): Promise<RerunResult> {
  const original = await store.read(originalId);
  const { command, commit } = preflight(originalId, original);
  const environ = options.environ ?? process.env;
  const patch = original.files[PATCH];
  const tree = await checkoutTemporary(store.repo, commit, patch);
  try {
    const inputs = await checkInputs(original.inputs, tree.dir, store.repo.workTree);
    if (inputs.problems.length > 0 && !options.allowChangedInputs) refuseInputs(originalId, inputs.problems);
    const folder = treePath(original.meta.source?.path);
    const cwd = folder ? join(tree.dir, ...folder.split("/")) : tree.dir;
    const userTop = store.repo.workTree ?? store.repo.cwd;
    const missingFiles = await commandFiles(command, cwd, { top: tree.dir, mirror: userTop }).then((f) => f.missing);
    for (const f of missingFiles) {
      options.hooks?.onWarning?.(`the command names ${f}, which source commit ${shortId(commit)} does not hold (it was not committed when the original ran)`);
    }
    const plan: RunPlan = {
      request: {
        command,
        cwd,
        environ,
        ...capturedAs(original, folder),
        name: await rerunName(store, original),
        message: `repro of ${originalId}`,
      },
      argv: command,
      points: [{ config: original.config, varying: {} }],
      jobs: 1,
      meta: { reproduces: originalId, parents: [originalId] },
      discardInterrupted: true,
    };
    const session = await startRun(store, plan, options.hooks, options.controller);
    const dirty = Boolean(patch && patch.length > 0);
    const source = { commit, branch: original.meta.source?.branch ?? null, dirty, ...(folder ? { path: folder } : {}) };
    const inputSums = Object.keys(inputs.inputs).length > 0 ? (inputs.inputs as Record<string, FileSum>) : undefined;
    const outcome = await runPoint(session, 0, {
      top: tree.dir,
      cwd,
      source,
      patch: patch ?? new Uint8Array(0),
      inputSums,
    });
    return {
      originalId,
      original,
      id: outcome.id,
      status: outcome.write,
      experiment: outcome.experiment,
      outcome,
      inputProblems: inputs.problems,
      missingFiles,
    };
  } finally {
    await tree.remove();
  }
}


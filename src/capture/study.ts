import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError, NotFoundError } from "../core/errors.js";
import { canonicalJson, parseJson, type JsonObject, type JsonValue } from "../core/json.js";
import type { CloneSource } from "../store/clone.js";
import type { Repository } from "../store/repository.js";
import type { RunRequest } from "./run-plan.js";
import type { SweepPoint } from "./sweep.js";

/**
 * A study handed to a scheduler, as its workers read it: `<git dir>/exp/studies/<sweep>/`
 * holds study.json (the planned run, every point), the job script and the scheduler's logs.
 * The repository lives on the filesystem the nodes share, so this folder does too.
 */
export interface Study {
  schema: 1;
  sweep: string;
  executor: string;
  method: string;
  size: number;
  created_at: string;
  /** The run request as planned, less the environment: a worker runs in its own. */
  request: Omit<RunRequest, "environ">;
  argv: string[];
  points: SweepPoint[];
  /** The scheduler's job id, once submitted. */
  job?: string;
  /** The submission command, for the record. */
  submitted?: string;
  /** A search (--sweep FILE): the file copied into the study folder, and what the command line set. */
  search?: { file: string; shownAs: string; trials?: number; samplerSeed?: number };
  /**
   * `run --on slurm --push REMOTE`: the nodes do not share the repository, so each task
   * clones this source into its own folder, runs there and pushes what it recorded.
   * `workTree` is the submitter's, to move the request's paths into the clone.
   */
  push?: CloneSource & { workTree: string };
}

function studiesDir(repo: Repository): string {
  return join(repo.expDir, "studies");
}

export function studyDir(repo: Repository, sweep: string): string {
  return join(studiesDir(repo), sweep);
}

export async function writeStudy(dir: string, study: Study): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `study.json.${process.pid}.tmp`);
  await writeFile(tmp, canonicalJson(study));
  await rename(tmp, join(dir, "study.json"));
}

export async function readStudy(dir: string): Promise<Study> {
  const file = join(dir, "study.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new NotFoundError(`no study at ${dir}: ${(e as Error).message}`, { cause: e });
  }
  return parseStudy(text, file);
}

/** A study from its JSON text (a file, or the job script's input for a --push study); `source` names it in errors. */
export function parseStudy(text: string, source: string): Study {
  const v = parseJson(text, { source }) as JsonValue;
  const doc = v as JsonObject;
  if (doc["schema"] !== 1 || typeof doc["sweep"] !== "string" || !Array.isArray(doc["points"])) {
    throw new InvalidInputError(`${source} is not a study written by this git-exp`);
  }
  return doc as unknown as Study;
}

/** Every study this clone submitted, as sweep ids. */
export async function listStudies(repo: Repository): Promise<string[]> {
  return readdir(studiesDir(repo)).catch(() => []);
}

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { openRepository } from "../../src/store/repository.js";
import { ExperimentStore } from "../../src/store/experiment-store.js";
import type { Experiment } from "../../src/core/experiment.js";
import { BIN, ROOT, TEST_ENV } from "./repo.js";

/** The package's folder: what `git exp python-path` prints, put on PYTHONPATH. */
export const PYTHON_PACKAGE = join(ROOT, "python");

/**
 * The plain `python3` on PATH (the package needs nothing beyond the standard library), by
 * its real path: a version manager's shim in front of it costs a shell script per start.
 */
export const PYTHON = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim() || "python3";

let scientific: string | null | undefined;

/**
 * An interpreter with numpy and scikit-learn (Debian's python3-numpy and python3-sklearn,
 * which .ci/run installs): the first of these that imports both.
 */
export function scientificPython(): string {
  if (scientific === undefined) {
    scientific = null;
    for (const p of ["/usr/bin/python3", "python3"]) {
      if (spawnSync(p, ["-c", "import numpy, sklearn"], { stdio: "ignore" }).status === 0) {
        scientific = p;
        break;
      }
    }
  }
  if (scientific === null) throw new Error("no python3 with numpy and scikit-learn: apt-get install python3-numpy python3-sklearn (.ci/run does)");
  return scientific;
}

export interface PyResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a Python script as a user would: the built CLI on PATH (so `git exp` works), the
 * package on PYTHONPATH unless `packagePath: false`, no bytecode written into the checkout.
 */
export function python(
  cwd: string,
  script: string,
  options: { python?: string; env?: NodeJS.ProcessEnv; args?: string[]; file?: string; packagePath?: boolean } = {},
): PyResult {
  const file = options.file ?? "script.py";
  writeFileSync(join(cwd, file), script);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_ENV,
    PATH: join(BIN, "..") + delimiter + (process.env["PATH"] ?? ""),
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONPATH: options.packagePath === false ? "" : PYTHON_PACKAGE,
    ...options.env,
  };
  const r = spawnSync(options.python ?? PYTHON, [file, ...(options.args ?? [])], { cwd, env, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every experiment of a repository, oldest first. */
export async function experimentsOf(dir: string): Promise<(Experiment & { id: string })[]> {
  const store = new ExperimentStore(await openRepository(dir));
  try {
    const ids = (await store.list()).refs.map((r) => r.id);
    const all = await Promise.all(ids.map(async (id) => ({ ...(await store.read(id)), id })));
    return all.sort((a, b) => (a.meta.created_at < b.meta.created_at ? -1 : 1));
  } finally {
    await store.close();
  }
}

/** The one experiment of a repository; fails when there is not exactly one. */
export async function onlyExperiment(dir: string): Promise<Experiment & { id: string }> {
  const all = await experimentsOf(dir);
  if (all.length !== 1) throw new Error(`expected one experiment, found ${all.length}`);
  return all[0]!;
}

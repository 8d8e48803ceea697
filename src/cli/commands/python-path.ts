import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvironmentError } from "../../core/errors.js";
import { defineCommand } from "../context.js";

export const pythonPathCommand = defineCommand({
  command: "python-path",
  describe: "print the folder holding the git_exp Python package, for PYTHONPATH",
  builder: (y) =>
    y.example('PYTHONPATH="$(git exp python-path)" python train.py', "import git_exp in a script git exp run runs, without pip install"),
  run: async (_args, ctx) => {
    ctx.io.stdout(pythonPackageFolder() + "\n");
    return 0;
  },
});

/**
 * The `python/` folder shipped beside the CLI. The code runs from the bundle
 * (dist/src/cli-bundle), from tsc's output or from the sources, so look upwards for it.
 */
function pythonPackageFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const folder = join(dir, "python");
    if (existsSync(join(folder, "git_exp", "__init__.py"))) return folder;
    if (dirname(dir) === dir) break;
  }
  throw new EnvironmentError(`the git_exp Python package is missing from this installation of git-exp (looked above ${here}); reinstall git-exp`);
}

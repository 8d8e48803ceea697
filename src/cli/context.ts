import type { Argv } from "yargs";
import { Workspace, type ExperimentStore, type Repository, type SharedIndex } from "../api/workspace.js";
import { Progress } from "../report/progress.js";
import type { IO } from "./io.js";

/** What a command handler gets: the IO sink and the workspace every api function works in. */
export class Context {
  /** Built once per command: notes and warnings go to stderr, progress bars to a terminal's stderr. */
  readonly ws: Workspace;

  constructor(
    readonly io: IO,
    sharedIndex?: SharedIndex,
  ) {
    this.ws = new Workspace({
      sharedIndex,
      cwd: io.cwd,
      env: io.env,
      message: (kind, text) => io.stderr(`${kind}: ${text}\n`),
      progress: (label) => new Progress(io.stderr, io.stderrIsTTY, label),
    });
  }

  /** A path the user typed, relative to where the command runs. */
  path(p: string): string {
    return this.ws.path(p);
  }

  repo(): Promise<Repository> {
    return this.ws.repo();
  }

  store(): Promise<ExperimentStore> {
    return this.ws.store();
  }

  /** Cleanups registered by what a command opened (a server), run when it ends. */
  onClose(fn: () => void | Promise<void>): void {
    this.ws.onClose(fn);
  }

  close(): Promise<void> {
    return this.ws.close();
  }
}

/** One command: its definition (for help) and a thin handler that returns an exit code. */
export interface CommandDef {
  command: string | string[];
  /** false: a command git-exp runs itself (a worker), left out of the help. */
  describe: string | false;
  builder: (y: Argv) => Argv;
  run: (args: Record<string, unknown>, ctx: Context) => Promise<number | void>;
}

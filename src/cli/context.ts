import type { Argv, ArgumentsCamelCase } from "yargs";
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

/**
 * One command as written: its definition (for help), a builder that declares its options and
 * a thin handler that returns an exit code. `A` is what the builder declares, as yargs infers
 * it from `.option("x", { type: "string" })`, so `run` reads `args.x` typed.
 */
export interface CommandSpec<A> {
  command: string | string[];
  /** false: a command git-exp runs itself (a worker), left out of the help. */
  describe: string | false;
  builder: (y: Argv) => Argv<A>;
  run: (args: ArgumentsCamelCase<A>, ctx: Context) => Promise<number | void>;
}

/** The arguments a builder declares, as `run` gets them: for helpers that take all of them. */
export type ArgsOf<B extends (y: Argv) => Argv<unknown>> = B extends (y: Argv) => Argv<infer A> ? ArgumentsCamelCase<A> : never;

/** How main runs a command's handler: given the command bound to its parsed arguments. */
export type Exec = (run: (ctx: Context) => Promise<number | void>) => Promise<void>;

/** One command with its argument type erased, so main can list them all. */
export interface Command {
  readonly command: string | string[];
  readonly describe: string | false;
  /** Adds the command to a parser; its handler passes the parsed, typed arguments on through `exec`. */
  register(parser: Argv, exec: Exec): void;
}

/** A command whose `run` gets the arguments its `builder` declares, typed. */
export function defineCommand<A>(spec: CommandSpec<A>): Command {
  return {
    command: spec.command,
    describe: spec.describe,
    register(parser, exec) {
      parser.command({
        command: spec.command,
        describe: spec.describe,
        // --version is git-exp's, not a command's: its help starts with the command's own options.
        builder: (y: Argv) => spec.builder(y).version(false),
        handler: (args) => exec((ctx) => spec.run(args, ctx)),
      });
    },
  };
}

import { resolve } from "node:path";
import type { Argv } from "yargs";
import { ExperimentStore } from "../store/experiment-store.js";
import { openRepository, type Repository } from "../store/repository.js";
import type { IO } from "./io.js";

/** What a command handler gets: the IO sink and lazily opened repository and store. */
export class Context {
  private repoP: Promise<Repository> | undefined;
  private storeV: ExperimentStore | undefined;

  constructor(readonly io: IO) {}

  /** A path the user typed, relative to where the command runs. */
  path(p: string): string {
    return resolve(this.io.cwd, p);
  }

  repo(): Promise<Repository> {
    this.repoP ??= openRepository(this.io.cwd);
    return this.repoP;
  }

  async store(): Promise<ExperimentStore> {
    this.storeV ??= new ExperimentStore(await this.repo());
    return this.storeV;
  }

  /** Cleanups registered by what a command opened (the index), run when it ends. */
  private readonly closers: (() => void | Promise<void>)[] = [];

  onClose(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.splice(0)) await fn();
    await this.storeV?.close();
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

import yargs from "yargs";
import { IndexDamagedError, isGitExpError, ExitCode, UsageError } from "../core/errors.js";
import type { SharedIndex } from "../api/workspace.js";
import { Context, type Command } from "./context.js";
import { processIO, type IO } from "./io.js";

export const VERSION = "0.1.0";

/**
 * Every command, loaded on demand: a run loads only the module of the command it names
 * (~15 ms less to parse at every start than all of them); help without one loads them all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  record: () => import("./commands/record.js").then((m) => m.recordCommand),
  run: () => import("./commands/run.js").then((m) => m.runCommand),
  show: () => import("./commands/show.js").then((m) => m.showCommand),
  ls: () => import("./commands/ls.js").then((m) => m.lsCommand),
  top: () => import("./commands/top.js").then((m) => m.topCommand),
  trend: () => import("./commands/trend.js").then((m) => m.trendCommand),
  sql: () => import("./commands/sql.js").then((m) => m.sqlCommand),
  index: () => import("./commands/index.js").then((m) => m.indexCommand),
  rm: () => import("./commands/rm.js").then((m) => m.rmCommand),
  export: () => import("./commands/export.js").then((m) => m.exportCommand),
  import: () => import("./commands/import.js").then((m) => m.importCommand),
  tag: () => import("./commands/tag.js").then((m) => m.tagCommand),
  untag: () => import("./commands/untag.js").then((m) => m.untagCommand),
  note: () => import("./commands/note.js").then((m) => m.noteCommand),
  rename: () => import("./commands/rename.js").then((m) => m.renameCommand),
  restore: () => import("./commands/restore.js").then((m) => m.restoreCommand),
  push: () => import("./commands/push.js").then((m) => m.pushCommand),
  pull: () => import("./commands/pull.js").then((m) => m.pullCommand),
  init: () => import("./commands/init.js").then((m) => m.initCommand),
  check: () => import("./commands/check.js").then((m) => m.checkCommand),
  plot: () => import("./commands/plot.js").then((m) => m.plotCommand),
  report: () => import("./commands/report.js").then((m) => m.reportCommand),
  diff: () => import("./commands/diff.js").then((m) => m.diffCommand),
  compare: () => import("./commands/compare.js").then((m) => m.compareCommand),
  stats: () => import("./commands/stats.js").then((m) => m.statsCommand),
  sweeps: () => import("./commands/sweeps.js").then((m) => m.sweepsCommand),
  repro: () => import("./commands/repro.js").then((m) => m.reproCommand),
  ui: () => import("./commands/ui.js").then((m) => m.uiCommand),
  cancel: () => import("./commands/cancel.js").then((m) => m.cancelCommand),
  worker: () => import("./commands/worker.js").then((m) => m.workerCommand),
  artifacts: () => import("./commands/artifacts.js").then((m) => m.artifactsCommand),
  get: () => import("./commands/get.js").then((m) => m.getCommand),
  apply: () => import("./commands/apply.js").then((m) => m.applyCommand),
  branch: () => import("./commands/branch.js").then((m) => m.branchCommand),
  "python-path": () => import("./commands/python-path.js").then((m) => m.pythonPathCommand),
  resident: () => import("./commands/resident.js").then((m) => m.residentCommand),
};

/** Other names of commands (each command's `command` lists them too, for its help). */
const ALIASES: Record<string, string> = { list: "ls" };

/**
 * The command modules this argv needs: the one its first word names, none for a lone
 * --version, else all (help, options before the command).
 */
async function commandsFor(argv: string[]): Promise<Command[]> {
  const word = argv[0];
  if (argv.length === 1 && word === "--version") return [];
  const name = word !== undefined && Object.hasOwn(ALIASES, word) ? ALIASES[word]! : word;
  const one = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return one ? [await one()] : Promise.all(Object.values(COMMANDS).map((load) => load()));
}

/**
 * A first word that is no command and no option: refused as git refuses `git sttaus`, with
 * the nearest command names, before yargs would call it an unknown argument.
 */
async function refuseUnknownCommand(argv: string[]): Promise<void> {
  const word = argv[0];
  if (word === undefined || word.startsWith("-") || Object.hasOwn(COMMANDS, word) || Object.hasOwn(ALIASES, word)) return;
  const { nearest } = await import("../core/filter.js");
  // The nearest name only (dif: diff, not also ui); an alias stands for its command.
  const near = nearest(word, [...Object.keys(COMMANDS), ...Object.keys(ALIASES)], 1).map((n) => ALIASES[n] ?? n);
  const hint = near.length === 0 ? "" : ` Did you mean \`${near[0]}\`?`;
  throw new UsageError(`'${word}' is not a git exp command.${hint} (git exp -h lists them)`);
}

/** A real bug, not a user error: exit code of sysexits' EX_SOFTWARE. */
const BUG_EXIT = 70;

class UsageFailure extends Error {}

/**
 * Run git-exp with the given arguments. The only place that turns errors into exit codes:
 * user errors print one line, real bugs print a stack and ask for a report.
 */
export async function main(rawArgv: string[], io: IO = processIO(), options: { sharedIndex?: SharedIndex } = {}): Promise<number> {
  const argv = joinDescendingSort(rawArgv);
  const ctx = new Context(io, options.sharedIndex);
  let exitCode: number = ExitCode.ok;
  let helpOrVersion = false;
  try {
    await refuseUnknownCommand(argv);
  } catch (e) {
    return reportError(e, io);
  }
  const parser = yargs(argv)
    .scriptName("git exp")
    .usage("git exp <command> [options]\n\nRecord machine-learning experiments in git; query them with SQL.")
    .parserConfiguration({ "parse-numbers": false, "parse-positional-numbers": false })
    .version(VERSION)
    .help()
    .alias("h", "help")
    .strict()
    .demandCommand(1, "give a command; see git exp --help")
    .wrap(io.stdoutIsTTY ? Math.min(io.columns, 120) : null)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageFailure(msg);
    });
  for (const def of await commandsFor(argv)) {
    def.register(parser, async (run) => {
      exitCode = (await runRebuildingDamage(run, ctx)) ?? ExitCode.ok;
    });
  }
  try {
    const output = await new Promise<string>((resolve, reject) => {
      parser
        .parseAsync(argv, {}, (_err, parsed, out) => {
          if (out) {
            helpOrVersion = true;
            resolve(out);
          }
          void parsed;
        })
        .then(() => resolve(""), reject);
    });
    if (helpOrVersion) io.stdout(output + "\n");
    return exitCode;
  } catch (e) {
    return reportError(e, io);
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

/**
 * Run a command; when a query finds the index damaged past what opening it checks (a bad
 * block deep in the file, the file deleted under us), rebuild it from the refs, as an index
 * that cannot be opened is, and run the command once more.
 */
async function runRebuildingDamage(run: (ctx: Context) => Promise<number | void>, ctx: Context): Promise<number | void> {
  try {
    return await run(ctx);
  } catch (e) {
    if (!(e instanceof IndexDamagedError)) throw e;
    await ctx.close();
    ctx.io.stderr(`note: the index is damaged (${e.message}); rebuilding it from the experiment refs (nothing is lost)\n`);
    await (await ctx.ws.index()).sync(true);
    await ctx.close();
    return run(ctx);
  }
}

/**
 * `--sort -metrics.acc` (descending, as the help shows it) would reach yargs as the short
 * flags -m -e -t ...: join it into `--sort=-metrics.acc`; `--slurm "--time=1:00"` likewise. Nothing after `--` is touched: it
 * belongs to the command `git exp run` runs. A lone letter (`--sort -n 5`) stays a flag.
 */
function joinDescendingSort(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (a === "--sort" && next !== undefined && next.length > 2 && /^-[^-\d]/.test(next)) {
      out.push(`--sort=${next}`);
      i++;
    } else if (a === "--slurm" && next !== undefined && next !== "--") {
      // sbatch options start with dashes themselves: `--slurm "--partition=gpu --time=1:00:00"`
      out.push(`--slurm=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function reportError(e: unknown, io: IO): number {
  if (e instanceof UsageFailure) {
    io.stderr(`git exp: ${e.message}\n(see git exp --help)\n`);
    return ExitCode.usage;
  }
  if (isGitExpError(e)) {
    io.stderr(`git exp: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`git exp: internal error: ${err.stack ?? err.message}\nThis is a bug in git-exp; please report it with the command you ran.\n`);
  return BUG_EXIT;
}

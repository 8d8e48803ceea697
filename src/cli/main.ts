import yargs from "yargs";
import { isGitExpError, ExitCode } from "../core/errors.js";
import { Context, type CommandDef } from "./context.js";
import { processIO, type IO } from "./io.js";
import { recordCommand } from "./commands/record.js";
import { showCommand } from "./commands/show.js";
import { lsCommand } from "./commands/ls.js";
import { rmCommand } from "./commands/rm.js";
import { exportCommand } from "./commands/export.js";
import { importCommand } from "./commands/import.js";
import { checkCommand } from "./commands/check.js";
import { plotCommand } from "./commands/plot.js";
import { reportCommand } from "./commands/report.js";
import { tagCommand } from "./commands/tag.js";
import { untagCommand } from "./commands/untag.js";
import { noteCommand } from "./commands/note.js";
import { renameCommand } from "./commands/rename.js";
import { restoreCommand } from "./commands/restore.js";
import { pushCommand } from "./commands/push.js";
import { pullCommand } from "./commands/pull.js";
import { initCommand } from "./commands/init.js";
import { diffCommand } from "./commands/diff.js";
import { compareCommand } from "./commands/compare.js";
import { statsCommand } from "./commands/stats.js";
import { reproCommand } from "./commands/repro.js";
import { runCommand } from "./commands/run.js";
import { indexCommand } from "./commands/index.js";
import { sqlCommand } from "./commands/sql.js";
import { topCommand } from "./commands/top.js";
import { trendCommand } from "./commands/trend.js";
import { uiCommand } from "./commands/ui.js";

export const VERSION = "0.1.0";

const COMMANDS: CommandDef[] = [
  recordCommand,
  runCommand,
  showCommand,
  lsCommand,
  topCommand,
  trendCommand,
  sqlCommand,
  indexCommand,
  rmCommand,
  exportCommand,
  importCommand,
  tagCommand,
  untagCommand,
  noteCommand,
  renameCommand,
  restoreCommand,
  pushCommand,
  pullCommand,
  initCommand,
  checkCommand,
  plotCommand,
  reportCommand,
  diffCommand,
  compareCommand,
  statsCommand,
  reproCommand,
  uiCommand,
];

/** A real bug, not a user error: exit code of sysexits' EX_SOFTWARE. */
const BUG_EXIT = 70;

class UsageFailure extends Error {}

/**
 * Run git-exp with the given arguments. The only place that turns errors into exit codes:
 * user errors print one line, real bugs print a stack and ask for a report.
 */
export async function main(rawArgv: string[], io: IO = processIO()): Promise<number> {
  const argv = joinDescendingSort(rawArgv);
  const ctx = new Context(io);
  let exitCode: number = ExitCode.ok;
  let helpOrVersion = false;
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
  for (const def of COMMANDS) {
    parser.command(def.command, def.describe, def.builder, async (args) => {
      exitCode = (await def.run(args as Record<string, unknown>, ctx)) ?? ExitCode.ok;
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
 * `--sort -metrics.acc` (descending, as the help shows it) would reach yargs as the short
 * flags -m -e -t ...: join it into `--sort=-metrics.acc`. Nothing after `--` is touched: it
 * belongs to the command `git exp run` runs. A lone letter (`--sort -n 5`) stays a flag.
 */
export function joinDescendingSort(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    if (a === "--sort" && next !== undefined && next.length > 2 && /^-[^-\d]/.test(next)) {
      out.push(`--sort=${next}`);
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

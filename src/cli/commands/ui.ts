import { UsageError } from "../../core/errors.js";
import { defineCommand } from "../context.js";
import { optString, whereWithSweep } from "../options.js";
import { onStopSignals } from "../signals.js";

const DEFAULT_PORT = 8765;

export const uiCommand = defineCommand({
  command: "ui",
  describe: "a local, read-only web dashboard: runs with filter and sorting, curves, compare, diff, leaderboard, trend, live runs",
  builder: (y) =>
    y
      .option("port", { alias: "p", type: "string", describe: `port to listen on (default ${DEFAULT_PORT}; when taken, the next free one; 0: any free port)` })
      .option("host", { type: "string", describe: "interface to listen on (default 127.0.0.1: this machine only)" })
      .option("sweep", { type: "string", describe: "open on the trials of this study (its id or a prefix, from git exp sweeps)" })
      .example("git exp ui", "open the printed address in a browser; Ctrl-C stops it"),
  run: async (args, ctx) => {
    const port = portOf(optString(args.port));
    const host = optString(args.host) ?? "127.0.0.1";
    if (host.trim() === "") throw new UsageError("--host takes an interface address such as 127.0.0.1 or 0.0.0.0");
    // --sweep ID opens the runs page filtered to the study's trials (the page keeps its filter in the URL)
    const where = whereWithSweep(args);
    const { startUi } = await import("../ui/start.js");
    const ui = await startUi(ctx.ws, { host, port, onError: (e) => ctx.io.stderr(`git exp ui: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`) });
    ctx.onClose(() => ui.close());
    if (ui.port !== port && port !== 0) ctx.io.stderr(`note: port ${port} is in use; listening on ${ui.port} instead\n`);
    if (!ui.loopback) {
      ctx.io.stderr(`warning: listening on ${host}: anyone who can reach this machine can read every experiment (the dashboard has no login); use the default 127.0.0.1 unless you mean it\n`);
    }
    ctx.io.stdout(`${ui.url}${where === undefined ? "" : `#${new URLSearchParams({ where }).toString()}`}\n`);
    ctx.io.stderr(`git exp ui: ${ui.experiments} experiments; serving until Ctrl-C\n`);
    const signal = await untilStopped();
    ctx.io.stderr(`git exp ui: stopped (${signal})\n`);
    return 0;
  },
});

function portOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not ${JSON.stringify(text)}`);
  return n;
}

function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const off = onStopSignals((s) => {
      off();
      resolve(s);
    });
  });
}

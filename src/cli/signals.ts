import type { IO } from "./io.js";

/** Calls `handler` on SIGINT and SIGTERM until the function it returns is called. */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/**
 * Ctrl-C and SIGTERM passed to a run's controller until the function it returns is called.
 * On a terminal, Ctrl-C reaches the child itself (same process group): it is not sent twice.
 */
export function interruptOnSignals(controller: { interrupt(signal: NodeJS.Signals, alreadyDelivered: boolean): void }, io: IO): () => void {
  return onStopSignals((sig) => controller.interrupt(sig, sig === "SIGINT" && io.stderrIsTTY));
}

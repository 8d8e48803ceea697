/** Where a command's output goes: injected so tests read buffers instead of spying on console. */
export interface IO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Bytes exactly as given (a child's output passed through); absent, text is decoded. */
  writeBytes?: (stream: "stdout" | "stderr", data: Uint8Array) => void;
  stdin: () => AsyncIterable<string | Buffer>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Terminal facts: colour and progress bars only on a terminal, never with NO_COLOR. */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** A person can answer a question on stdin (absent: no). */
  stdinIsTTY?: boolean;
  columns: number;
}

export function processIO(): IO {
  const open = { stdout: true, stderr: true };
  for (const name of ["stdout", "stderr"] as const) {
    process[name].on("error", (e: NodeJS.ErrnoException) => {
      // The reader went away (`| head`): the rest of the output has nowhere to go, but the
      // work goes on: a run still records its experiment and exits with its command's code.
      if (e.code !== "EPIPE") throw e;
      open[name] = false;
    });
  }
  const write = (name: "stdout" | "stderr", data: string | Uint8Array): void => {
    if (open[name]) process[name].write(data);
  };
  return {
    stdout: (t) => write("stdout", t),
    stderr: (t) => write("stderr", t),
    writeBytes: (stream, data) => write(stream, data),
    stdin: () => process.stdin,
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    // Into a pipe or a file nothing is cut (ids feed `xargs`), unless COLUMNS asks for a width.
    columns: process.stdout.columns || Number(process.env["COLUMNS"]) || (process.stdout.isTTY ? 100 : Infinity),
  };
}

export function useColor(io: IO): boolean {
  return io.stdoutIsTTY && !("NO_COLOR" in io.env);
}

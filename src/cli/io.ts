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
  columns: number;
}

export function processIO(): IO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    writeBytes: (stream, data) => void process[stream].write(data),
    stdin: () => process.stdin,
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns || Number(process.env["COLUMNS"]) || 100,
  };
}

export function useColor(io: IO): boolean {
  return io.stdoutIsTTY && !("NO_COLOR" in io.env);
}

/**
 * A progress bar on stderr, shown only on a terminal and only once work has taken longer
 * than `delayMs`, so quick commands stay silent.
 */
export class Progress {
  private readonly start = Date.now();
  private last = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
    private readonly label: string,
    private readonly delayMs = 1000,
  ) {}

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.start < this.delayMs || now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
    this.write(`\r${this.label} [${bar}] ${done}/${total}`);
  }

  finish(): void {
    if (this.shown) this.write("\r\x1b[K");
  }
}

/**
 * The combined stdout and stderr of a run, as log.txt: the head and the tail are kept,
 * the middle of a long log is cut and the cut is said in the text, so memory stays
 * bounded whatever the child prints.
 */
export class CappedLog {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(
    private readonly headMax = 512 * 1024,
    private readonly tailMax = 512 * 1024,
  ) {}

  write(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headMax) {
      const take = rest.subarray(0, this.headMax - this.headBytes);
      this.head.push(Buffer.from(take));
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailBytes += rest.length;
    if (this.tailBytes > this.tailMax * 2) this.trimTail();
  }

  private trimTail(): void {
    const all = Buffer.concat(this.tail);
    this.tail = [all.subarray(all.length - this.tailMax)];
    this.tailBytes = this.tailMax;
  }

  get bytes(): number {
    return this.total;
  }

  /** The log as stored; the cut is on line boundaries where there are any. */
  contents(): Buffer {
    if (this.tailBytes > this.tailMax) this.trimTail();
    const head = Buffer.concat(this.head);
    const tail = Buffer.concat(this.tail);
    const cut = this.total - head.length - tail.length;
    if (cut === 0) return Buffer.concat([head, tail]);
    const headEnd = head.lastIndexOf(10) + 1 || head.length;
    const tailStart = tail.indexOf(10) + 1 || 0;
    const dropped = cut + (head.length - headEnd) + tailStart;
    const note = Buffer.from(`\n[git-exp: ${dropped} bytes of output cut here; the log keeps its first and last ${Math.round(this.headMax / 1024)} KiB]\n\n`);
    return Buffer.concat([head.subarray(0, headEnd), note, tail.subarray(tailStart)]);
  }
}

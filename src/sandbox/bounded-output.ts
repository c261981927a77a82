/**
 * Keeps the head and the tail of a stream within a byte budget, counting what was dropped in between.
 * The full stream goes to disk elsewhere; this is what stays in memory and what an agent may be shown.
 */
export class BoundedOutput {
  private readonly half: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(maxBytes: number) {
    this.half = Math.max(1, Math.floor(maxBytes / 2));
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.half) {
      const take = Math.min(this.half - this.headBytes, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headBytes += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.half && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  get totalBytes(): number {
    return this.total;
  }

  /** Bytes not kept in memory. */
  get bytesCut(): number {
    const tail = Buffer.concat(this.tail);
    return this.total - this.headBytes - Math.min(tail.length, this.half);
  }

  toString(): string {
    const tail = Buffer.concat(this.tail);
    const keptTail = tail.subarray(Math.max(0, tail.length - this.half));
    const cut = this.total - this.headBytes - keptTail.length;
    const head = Buffer.concat(this.head).toString('utf8');
    if (cut <= 0) return head + keptTail.toString('utf8');
    return `${head}\n[… ${cut} bytes cut …]\n${keptTail.toString('utf8')}`;
  }
}

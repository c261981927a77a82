/**
 * A host file that keeps the head and the tail of a stream and drops the middle, so a command printing gigabytes
 * costs a few megabytes of disk and memory. The head is written as it arrives; the tail waits in memory (at most
 * `tailBytes`) and is written on close, after a `[… N bytes cut …]` line.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface FileCap {
  /** Bytes kept from the start. */
  headBytes: number;
  /** Bytes kept from the end. */
  tailBytes: number;
}

const MiB = 1024 * 1024;

/** What a command's stdout or stderr keeps on disk: 4 MiB from the start and 1 MiB from the end. */
export const OUTPUT_FILE_CAP: Readonly<FileCap> = Object.freeze({ headBytes: 4 * MiB, tailBytes: 1 * MiB });
/** What a log hbench writes itself keeps (harness.log, a build log): 8 MiB from the start and 1 MiB from the end. */
export const LOG_FILE_CAP: Readonly<FileCap> = Object.freeze({ headBytes: 8 * MiB, tailBytes: 1 * MiB });

export function cutMarker(bytes: number): string {
  return `\n[… ${bytes} bytes cut …]\n`;
}

export class CappedFile {
  private headWritten = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private closed: Promise<void> | null = null;
  /** The first error the file met (disk full, read-only, folder removed); what followed it was dropped. */
  failure: NodeJS.ErrnoException | null = null;

  private constructor(
    private readonly sink: WriteStream,
    private readonly cap: FileCap,
    private readonly file: string,
  ) {
    // An error drops the rest: a log must never crash the process that writes it. The owner reads `failure`.
    sink.on('error', (e: NodeJS.ErrnoException) => {
      if (this.failure) return;
      this.failure = Object.assign(e, { path: e.path ?? this.file });
      for (const fn of this.failureListeners) fn(this.failure);
    });
  }

  private readonly failureListeners: Array<(e: NodeJS.ErrnoException) => void> = [];

  /** Calls `fn` once with the file's first error (at once when it already failed). */
  onFailure(fn: (e: NodeJS.ErrnoException) => void): void {
    if (this.failure) fn(this.failure);
    else this.failureListeners.push(fn);
  }

  /** Opens `file` (appending, or replacing it with `w`), creating its folder. */
  static async open(file: string, cap: FileCap = OUTPUT_FILE_CAP, flags: 'a' | 'w' = 'a'): Promise<CappedFile> {
    await mkdir(path.dirname(file), { recursive: true });
    return CappedFile.openSync(file, cap, flags);
  }

  /** Opens `file` (appending, or replacing it with `w`), whose folder exists. */
  static openSync(file: string, cap: FileCap = LOG_FILE_CAP, flags: 'a' | 'w' = 'a'): CappedFile {
    return new CappedFile(createWriteStream(file, { flags }), cap, file);
  }

  write(data: Buffer | string): void {
    if (this.closed) return;
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    this.total += chunk.length;
    if (this.headWritten < this.cap.headBytes) {
      const take = Math.min(this.cap.headBytes - this.headWritten, chunk.length);
      this.sink.write(chunk.subarray(0, take));
      this.headWritten += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    if (this.cap.tailBytes <= 0) return;
    // Copied: the caller's buffer may be reused.
    this.tail.push(Buffer.from(chunk.subarray(Math.max(0, chunk.length - this.cap.tailBytes))));
    this.tailBytes += Math.min(chunk.length, this.cap.tailBytes);
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.cap.tailBytes) this.tailBytes -= this.tail.shift()!.length;
  }

  /** Bytes of the stream so far. */
  get totalBytes(): number {
    return this.total;
  }

  /** Bytes not kept in the file (so far). */
  get bytesCut(): number {
    return Math.max(0, this.total - this.headWritten - Math.min(this.tailBytes, this.cap.tailBytes));
  }

  /** Writes the tail (after the cut marker, when something was cut) and closes. Idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const all = Buffer.concat(this.tail);
      const kept = all.subarray(Math.max(0, all.length - this.cap.tailBytes));
      const cut = this.total - this.headWritten - kept.length;
      if (cut > 0) this.sink.write(cutMarker(cut));
      if (kept.length) this.sink.write(kept);
      this.tail = [];
      this.sink.end(() => resolve());
      this.sink.once('error', () => resolve());
    });
    return this.closed;
  }
}

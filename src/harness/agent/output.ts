/** Head + tail truncation of what the model is shown, by bytes, with the cut marked and counted. */

export interface Truncated {
  text: string;
  /** Bytes removed here (not counting what the sandbox already dropped). */
  bytesCut: number;
}

export function cutMarker(bytes: number): string {
  return `\n[… ${bytes} bytes cut …]\n`;
}

/**
 * Keeps the first and last `limit / 2` bytes of `text` when it is longer than `limit` bytes. Cuts land on UTF-8
 * character boundaries (a split character is dropped whole and counted as cut).
 */
export function truncateHeadTail(text: string, limit: number): Truncated {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= limit) return { text, bytesCut: 0 };
  const half = Math.max(1, Math.floor(limit / 2));
  let headEnd = half;
  while (headEnd > 0 && (buf[headEnd]! & 0xc0) === 0x80) headEnd--;
  let tailStart = buf.length - half;
  while (tailStart < buf.length && (buf[tailStart]! & 0xc0) === 0x80) tailStart++;
  const cut = tailStart - headEnd;
  return { text: buf.subarray(0, headEnd).toString('utf8') + cutMarker(cut) + buf.subarray(tailStart).toString('utf8'), bytesCut: cut };
}

/** The agent's estimate of tokens: ceil(chars / 4). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

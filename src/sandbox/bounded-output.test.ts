import { describe, expect, it } from 'vitest';
import { BoundedOutput } from './bounded-output.js';

describe('BoundedOutput', () => {
  it('keeps everything under the budget', () => {
    const b = new BoundedOutput(100);
    b.push(Buffer.from('hello '));
    b.push(Buffer.from('world'));
    expect(b.toString()).toBe('hello world');
    expect(b.bytesCut).toBe(0);
  });

  it('keeps head and tail, counts what was cut', () => {
    const b = new BoundedOutput(10);
    for (const c of ['01234', '56789', 'abcde', 'fghij']) b.push(Buffer.from(c));
    expect(b.bytesCut).toBe(10);
    expect(b.totalBytes).toBe(20);
    expect(b.toString()).toBe('01234\n[… 10 bytes cut …]\nfghij');
  });

  it('handles one huge chunk', () => {
    const b = new BoundedOutput(4);
    b.push(Buffer.from('abcdefghij'));
    expect(b.toString()).toBe('ab\n[… 6 bytes cut …]\nij');
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CappedFile } from './capped-file.js';

async function tmpFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), 'capped-')), 'out.txt');
}

describe('a capped file', () => {
  it('keeps everything when the stream fits', async () => {
    const file = await tmpFile();
    const f = await CappedFile.open(file, { headBytes: 10, tailBytes: 5 });
    f.write('hello ');
    f.write(Buffer.from('world'));
    await f.close();
    expect(await readFile(file, 'utf8')).toBe('hello world');
    expect(f.bytesCut).toBe(0);
  });

  it('keeps the head and the tail of a flood and says how much was cut between them', async () => {
    const file = await tmpFile();
    const f = await CappedFile.open(file, { headBytes: 4, tailBytes: 3 });
    f.write('ABCD');
    for (let i = 0; i < 1000; i++) f.write('xxxxxxxxxx');
    f.write('XYZ');
    expect(f.totalBytes).toBe(10_007);
    expect(f.bytesCut).toBe(10_000);
    await f.close();
    expect(await readFile(file, 'utf8')).toBe('ABCD\n[… 10000 bytes cut …]\nXYZ');
  });

  it('keeps the tail across a chunk larger than it', async () => {
    const file = await tmpFile();
    const f = await CappedFile.open(file, { headBytes: 2, tailBytes: 4 });
    f.write('12');
    f.write('abcdefgh');
    f.write('ij');
    await f.close();
    expect(await readFile(file, 'utf8')).toBe('12\n[… 6 bytes cut …]\nghij');
  });

  it('writes nothing after close', async () => {
    const file = await tmpFile();
    const f = await CappedFile.open(file, { headBytes: 100, tailBytes: 0 });
    f.write('a');
    await f.close();
    f.write('b');
    await f.close();
    expect(await readFile(file, 'utf8')).toBe('a');
  });
});

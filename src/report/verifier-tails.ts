/**
 * The last part of the verifier's output of each trial that did not pass, read from the results folder so JUnit
 * consumers see why a trial failed without opening the folder. Passed trials are skipped: a large run has thousands.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { TrialResult } from '../records/trial-result.js';

export const TAIL_BYTES = 2048;

/** Tails by trial key; a trial without any verifier output has no entry. */
export async function readVerifierTails(runDir: string, trials: TrialResult[], maxBytes = TAIL_BYTES): Promise<Map<string, string>> {
  const limit = pLimit(16);
  const tails = new Map<string, string>();
  await Promise.all(
    trials
      .filter((t) => t.status !== 'passed')
      .map((t) =>
        limit(async () => {
          const tail = await trialTail(path.join(runDir, 'trials', t.key, 'verifier'), t, maxBytes);
          if (tail !== null) tails.set(t.key, tail);
        }),
      ),
  );
  return tails;
}

async function trialTail(verifierDir: string, t: TrialResult, maxBytes: number): Promise<string | null> {
  // A single-step task writes verifier/stdout.txt; a multi-step task one folder per step, never a top-level file.
  const single = await fileTail(path.join(verifierDir, 'stdout.txt'), maxBytes);
  if (single !== null) return single;
  const ran = t.steps.filter((s) => s.status !== 'skipped');
  const culprits = ran.filter((s) => s.status !== 'passed');
  const steps = culprits.length ? culprits : ran.slice(-1);
  const budget = Math.max(256, Math.floor(maxBytes / Math.max(1, steps.length)));
  const parts: string[] = [];
  for (const s of steps) {
    const tail = await fileTail(path.join(verifierDir, s.name, 'stdout.txt'), budget);
    if (tail !== null) parts.push(`── step ${s.name} (${s.status}) ──\n${tail}`);
  }
  return parts.length ? parts.join('\n') : null;
}

/** The last `maxBytes` of a file (from a whole UTF-8 character on), `…`-prefixed when cut; null when absent. */
export async function fileTail(file: string, maxBytes: number): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    if (length === size) return buf.toString('utf8');
    let start = 0;
    while (start < buf.length && start < 3 && (buf[start]! & 0xc0) === 0x80) start++;
    return `…${buf.subarray(start).toString('utf8')}`;
  } finally {
    await handle.close();
  }
}

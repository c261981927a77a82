/**
 * The runner at scale, with no engine in the way: 1,000 trials at concurrency 16 through executeRun (the whole run:
 * lock, session, plan, limiter, results store, reporters, summary) with sandboxes from the in-process fake backend.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from '../test-support/cli.js';
import { fakeRun } from '../test-support/fake-run.js';

describe('1,000 no-op trials at concurrency 16 (in-process backend)', () => {
  it('records each trial exactly once, keeps to the limit, closes every sandbox and counts right', async () => {
    const out = await tempDir();
    const outcome = await fakeRun({ outDir: out, runId: 'scale', tasksDir: path.join(FIXTURES, 'tasks'), include: ['hello'], trials: 1000, concurrency: 16, reward: (key) => Number(key.endsWith('0')) });
    const lines = (await readFile(path.join(out, 'scale', 'trials.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1000);
    const keys = lines.map((l) => (JSON.parse(l) as { key: string }).key);
    expect(new Set(keys).size).toBe(1000);
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => `hello__nop__${i + 1}`)));
    const record = JSON.parse(await readFile(path.join(out, 'scale', 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'completed', counts: { planned: 1000, finished: 1000 } });
    expect(outcome.backend).toMatchObject({ started: 1000, closed: 1000, running: 0, peak: 16 });
    // Trials whose number ends in 0 pass: 100 of them; the summary agrees with the lines.
    expect(outcome.summary.harnesses[0]).toMatchObject({ harness: 'nop', trials: 1000, passed: 100, failed: 900, errors: 0 });
  });
});

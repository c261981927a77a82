import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readTrials, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';

const SLOW = path.join(FIXTURES, 'slow');
const SLEEPY = path.join(FIXTURES, 'harnesses/sleepy.yaml');
const LOCK = '.hbench.lock';

describe('one runner per results folder (real Docker)', () => {
  it('refuses a --resume, a rerun of the same --run-id and a merge into a folder a live run is writing; frees it at the end', async () => {
    const out = await tempDir();
    const dir = path.join(out, 'busy');
    // Each sleepy trial lasts its 2 s agent timeout; three one at a time leave time to knock.
    const first = startCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--trials', '3', '--concurrency', '1', '--out', out, '--run-id', 'busy']);
    // The lock is taken before run.json is written.
    await waitFor(() => existsSync(path.join(dir, 'run.json')), 60_000, 'the first run to start writing');
    const owner = new RegExp(`in use by another hbench process: pid ${first.child.pid} on ${os.hostname()}, started \\d{4}-\\d\\d-\\d\\dT[^ ]+ \\(hbench run --tasks`);
    const trialsBefore = await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '');

    const [resume, rerun, merge] = await Promise.all([
      runCli(['run', '--resume', dir]),
      runCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--out', out, '--run-id', 'busy']),
      runCli(['merge', path.join(out, 'no-such-shard'), '--out', dir]),
    ]);
    expect(first.child.exitCode).toBeNull();
    for (const refused of [resume, rerun, merge]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(owner);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
    // The refused commands wrote nothing: no trial line of theirs, no resume recorded, the lock still the first's.
    expect((await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '')).startsWith(trialsBefore)).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, LOCK), 'utf8')).pid).toBe(first.child.pid);

    const r = await first.done;
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, LOCK))).toBe(false);
    const trials = await readTrials(dir);
    expect(trials.map((t) => t.key).sort()).toEqual([1, 2, 3].map((n) => `slow-agent__sleepy__${n}`));
    expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', resumes: [] });

    // Free again: a resume now runs (with nothing left to do) and adds nothing.
    const after = await runCli(['run', '--resume', dir]);
    expect(after.code).toBe(0);
    expect(await readTrials(dir)).toEqual(trials);
    expect(existsSync(path.join(dir, LOCK))).toBe(false);
  });

  it('after kill -9 the lock is left, and --resume takes it over and finishes without a duplicate line', async () => {
    const out = await tempDir();
    const dir = path.join(out, 'killed');
    const run = startCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--trials', '2', '--concurrency', '1', '--out', out, '--run-id', 'killed']);
    await waitFor(() => /\[1\/2\]/.test(run.output()), 60_000, 'the first trial to finish');
    run.child.kill('SIGKILL');
    await run.done;
    expect(JSON.parse(await readFile(path.join(dir, LOCK), 'utf8')).pid).toBe(run.child.pid);
    const partial = await readTrials(dir);

    const resumed = await runCli(['run', '--resume', dir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`took over the lock of`);
    expect(resumed.stderr).toContain(`pid ${run.child.pid} on ${os.hostname()}`);
    const all = await readTrials(dir);
    expect(all.map((t) => t.key).sort()).toEqual(['slow-agent__sleepy__1', 'slow-agent__sleepy__2']);
    expect(all.slice(0, partial.length)).toEqual(partial);
    expect(existsSync(path.join(dir, LOCK))).toBe(false);
  });
});

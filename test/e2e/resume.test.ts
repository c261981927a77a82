import { readFile, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';

const SLOW = path.join(FIXTURES, 'slow');
const SLEEPY = path.join(FIXTURES, 'harnesses/sleepy.yaml');

describe('interrupt, kill -9 and resume (real Docker)', () => {
  it('first Ctrl+C stops gracefully: cleans up, records what finished; --resume finishes the rest', async () => {
    const out = await tempDir();
    // Each sleepy trial lasts its 2 s agent timeout; four of them one at a time.
    const run = startCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--trials', '4', '--concurrency', '1', '--out', out, '--run-id', 'int']);
    await waitFor(() => /\[1\/4\]/.test(run.output()), 60_000, 'the first trial to finish');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('--resume');
    const dir = path.join(out, 'int');
    const partial = await readTrials(dir);
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(4);
    expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).status).toBe('interrupted');
    expect(await containersOfRun('int')).toBe(0);

    const resumed = await runCli(['run', '--resume', dir]);
    expect(resumed.code).toBe(0);
    const all = await readTrials(dir);
    expect(all.map((t) => t.key).sort()).toEqual([1, 2, 3, 4].map((n) => `slow-agent__sleepy__${n}`));
    // Finished trials are not repeated: the first records are untouched.
    expect(all.slice(0, partial.length)).toEqual(partial);
    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'completed', counts: { planned: 4, finished: 4 } });
    expect(record.resumes).toHaveLength(1);
  });

  it('after kill -9 the next run removes the leftovers; a cut-off last line is redone, not lost', async () => {
    const out = await tempDir();
    const run = startCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--trials', '2', '--concurrency', '2', '--out', out, '--run-id', 'k9']);
    await waitFor(async () => (await containersOfRun('k9')) === 2, 60_000, 'two running containers');
    run.child.kill('SIGKILL');
    await run.done;
    expect(await containersOfRun('k9')).toBe(2);
    const dir = path.join(out, 'k9');
    // Simulate a crash in the middle of writing a line.
    await writeFile(path.join(dir, 'trials.jsonl'), '{"schema":1,"key":"slow-agent__sle');

    const resumed = await runCli(['run', '--resume', dir]);
    expect(resumed.stderr).toContain('removed 2 leftover container(s)');
    expect(resumed.code).toBe(0);
    expect((await readTrials(dir)).map((t) => t.key).sort()).toEqual(['slow-agent__sleepy__1', 'slow-agent__sleepy__2']);
    expect(await containersOfRun('k9')).toBe(0);
  });

  it('hbench cleanup removes what a killed run left', async () => {
    const out = await tempDir();
    const run = startCli(['run', '--tasks', SLOW, '--harness', SLEEPY, '--out', out, '--run-id', 'k9b']);
    await waitFor(async () => (await containersOfRun('k9b')) === 1, 60_000, 'a running container');
    run.child.kill('SIGKILL');
    await run.done;
    const r = await runCli(['cleanup']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed [1-9]\d* container/);
    expect(await containersOfRun('k9b')).toBe(0);
  });

  it('refuses to resume when a task changed since the run started', async () => {
    const out = await tempDir();
    const tasks = path.join(out, 'tasks');
    await cp(path.join(FIXTURES, 'tasks', 'hello'), path.join(tasks, 'hello'), { recursive: true });
    const first = await runCli(['run', '--tasks', tasks, '--harness', 'nop', '--out', out, '--run-id', 'chg']);
    expect(first.code).toBe(0);
    await writeFile(path.join(tasks, 'hello', 'instruction.md'), 'Something else entirely.\n');
    const r = await runCli(['run', '--resume', path.join(out, 'chg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run\.json: cannot resume: task hello changed since the run started/);
  });
});

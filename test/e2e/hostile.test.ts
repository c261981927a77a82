import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, startCli, tempDir } from '../../src/test-support/cli.js';
import { folderBytes, peakRssDuring } from '../../src/test-support/process-stats.js';

const HOSTILE = path.join(FIXTURES, 'hostile');
const MiB = 1024 * 1024;

describe('hostile tasks and agents are contained (real Docker)', () => {
  it('OOM, fork bomb, CPU hog, SIGTERM-ignoring processes, a 3 GB flood and a disk filler each end with the right status and reason; a good task beside them passes', async () => {
    const out = await tempDir();
    const cli = startCli([
      'run', '--tasks', path.join(HOSTILE, 'tasks'), '--harness-dir', path.join(HOSTILE, 'harnesses'), '--harness', 'hostile',
      '--concurrency', '3', '--out', out, '--run-id', 'hostile', '--reporter', 'summary',
    ]);
    const peak = await peakRssDuring(cli.child.pid!, cli.done);
    const r = await cli.done;
    // The start-up sweep may report what other killed runs on this shared engine left behind.
    expect(r.stderr.replace(/^removed \d+ leftover container\(s\).*\n/m, '')).toBe('');
    expect(r.code).toBe(0);

    const runDir = path.join(out, 'hostile');
    const trials = await readTrials(runDir);
    const by = Object.fromEntries(trials.map((t) => [t.taskId, t]));
    const outcome = (task: string) => ({ status: by[task]!.status, reason: by[task]!.reason, error: by[task]!.error, limits: by[task]!.steps[0]!.limits });
    expect(outcome('good')).toEqual({ status: 'passed', reason: null, error: null, limits: [] });
    // The agent's own blow-up is the agent's failure, never an excluded error.
    expect(outcome('oom')).toEqual({ status: 'failed', reason: 'oom-killed', error: null, limits: ['oom-killed'] });
    expect(outcome('fork-bomb')).toEqual({ status: 'failed', reason: 'pids-limit', error: null, limits: ['pids-limit'] });
    expect(outcome('disk-fill')).toEqual({ status: 'failed', reason: 'disk-limit', error: null, limits: ['disk-limit'] });
    expect(outcome('flood')).toEqual({ status: 'failed', reason: 'output-capped', error: null, limits: ['output-capped'] });
    expect(outcome('cpu-hog')).toEqual({ status: 'timeout', reason: null, error: null, limits: [] });
    expect(outcome('ignore-term')).toEqual({ status: 'timeout', reason: null, error: null, limits: [] });
    // Every hostile trial was still verified (its verifier wrote a reward of 0), in a sandbox that could run it.
    for (const t of trials) expect(t.steps[0]!.rewardProblem ?? null, t.taskId).toBeNull();
    // Processes ignoring SIGTERM hold neither the agent phase (3 s timeout, then SIGKILL) nor the teardown.
    expect(by['ignore-term']!.phases.agent).toBeLessThan(3000 + 15_000);
    expect(by['ignore-term']!.phases.teardown).toBeLessThan(30_000);

    const log = (task: string) => readFile(path.join(runDir, 'trials', `${task}__hostile__1`, 'harness.log'), 'utf8');
    expect(await log('oom')).toContain('oom-killed: the kernel killed a process at memory_mb = 256');
    expect(await log('fork-bomb')).toMatch(/pids-limit: .*pids_limit = 128/);
    expect(await log('fork-bomb')).toContain('restarting it (its files stay) for the verifier');
    expect(await log('disk-fill')).toMatch(/disk-limit: the sandbox's filesystem reached storage_mb = 100 \(\d+ MB written, (sampled by hbench|capped by the engine)\); agent stopped/);
    expect(await log('flood')).toMatch(/output-capped: \d+ bytes of the agent's output were cut/);

    // A 3 GB flood keeps its head and tail: the whole results folder stays within a few megabytes.
    const stdout = path.join(runDir, 'trials', 'flood__hostile__1', 'agent', 'main.stdout.txt');
    expect((await stat(stdout)).size).toBeLessThanOrEqual(5 * MiB + 100);
    expect(await readFile(stdout, 'utf8')).toMatch(/\n\[… \d+ bytes cut …\]\n/);
    expect(await folderBytes(runDir)).toBeLessThan(12 * MiB);
    expect(peak).toBeLessThan(400 * MiB);
    expect(await containersOfRun('hostile')).toBe(0);
  }, 300_000);
});

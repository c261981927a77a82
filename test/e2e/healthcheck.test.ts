import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

const HEALTH = path.join(FIXTURES, 'health');

describe('healthchecks: a one-shot gate before the agent (real Docker)', () => {
  it('a ready environment passes; one that never gets ready is an infrastructure error with the output kept; a gate the agent broke fails the step', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(HEALTH, 'tasks'), '--harness-dir', path.join(HEALTH, 'harnesses'), '--harness', 'oracle', '--harness', 'breaker', '--out', out, '--run-id', 'hc', '--reporter', 'summary']);
    expect(r.code).toBe(1);
    const trials = await readTrials(path.join(out, 'hc'));
    const t = (task: string, h: string) => trials.find((x) => x.taskId === task && x.harness === h)!;
    expect(t('ready', 'oracle').status).toBe('passed');
    expect(await readFile(path.join(out, 'hc', 'trials', 'ready__oracle__1', 'healthcheck.log'), 'utf8')).toContain('attempt 1: exit 0\nup');
    expect(t('never-ready', 'oracle')).toMatchObject({ status: 'error', error: { class: 'HealthcheckError', code: 'HEALTHCHECK', phase: 'start' } });
    expect(t('never-ready', 'oracle').error!.message).toMatch(/failed 2 time\(s\) in a row/);
    const log = await readFile(path.join(out, 'hc', 'trials', 'never-ready__oracle__1', 'healthcheck.log'), 'utf8');
    expect(log.match(/service not listening/g)).toHaveLength(2);
    expect(t('step-gate', 'oracle').status).toBe('passed');
    const broken = t('step-gate', 'breaker');
    expect(broken).toMatchObject({ status: 'failed', error: null, reward: 0.5 });
    expect(broken.steps.map((s) => s.status)).toEqual(['passed', 'failed']);
    expect(broken.steps[1]!.rewardProblem).toMatch(/step 02-second healthcheck.*counted as 0/);
    expect(existsSync(path.join(out, 'hc', 'trials', 'step-gate__breaker__1', 'healthcheck.log'))).toBe(true);
  });
});

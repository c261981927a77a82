import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

const TAMPER = path.join(FIXTURES, 'tamper');
const ATTACKS = ['plant-reward-txt', 'plant-reward-json', 'plant-tests', 'link-verifier-dir', 'break-environment'];

describe('rewards nobody can forge (shared verification, real Docker)', () => {
  it('a planted reward, replaced tests or a linked verifier folder never pass; a broken environment is a failure, not an error', async () => {
    const out = await tempDir();
    const r = await runCli([
      'run', '--tasks', path.join(TAMPER, 'tasks'), '--harness-dir', path.join(TAMPER, 'harnesses'),
      '--harness', 'oracle', '--harness', 'nop', ...ATTACKS.flatMap((a) => ['--harness', a]),
      '--out', out, '--run-id', 'tamper', '--reporter', 'summary',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'tamper'));
    const by = Object.fromEntries(trials.map((t) => [t.harness, t]));
    expect(by.oracle).toMatchObject({ status: 'passed', reward: 1, reason: null, tampering: [] });
    for (const attack of ['nop', ...ATTACKS]) {
      // Every attack fails, and as a failure of the agent: no trial escapes the pass rate as an error.
      expect(by[attack], attack).toMatchObject({ status: 'failed', reward: 0, error: null, reason: 'no-reward' });
      expect(by[attack]!.steps[0]!.rewardProblem, attack).toMatch(/wrote no reward \(counted as 0/);
    }
    expect(by['plant-reward-txt']!.tampering).toEqual(['/logs/verifier/reward.txt existed before verification (planted; discarded)']);
    expect(by['plant-reward-json']!.tampering).toEqual(['/logs/verifier/reward.json existed before verification (planted; discarded)']);
    expect(by['link-verifier-dir']!.tampering).toEqual(['/logs/verifier/reward.txt existed before verification (planted; discarded)']);
    expect(by['plant-tests']!.tampering).toEqual([]);
    const log = await readFile(path.join(out, 'tamper', 'trials', 'reward-on-success__plant-reward-txt__1', 'harness.log'), 'utf8');
    expect(log).toContain('tampering: /logs/verifier/reward.txt existed before verification');
    const summary = JSON.parse(await readFile(path.join(out, 'tamper', 'summary.json'), 'utf8'));
    const row = (h: string) => summary.harnesses.find((x: { harness: string }) => x.harness === h);
    expect(row('plant-reward-txt')).toMatchObject({ passed: 0, failed: 1, errors: 0, noReward: 1, tampered: 1 });
    expect(row('break-environment')).toMatchObject({ failed: 1, errors: 0, noReward: 1, tampered: 0 });
    expect(r.stdout).toMatch(/no reward written \(counted as failures\): .*plant-reward-txt 1/);
    expect(r.stdout).toMatch(/forgery attempts discarded: .*plant-reward-txt 1/);
  });

  it('--verifier separate: each step is verified in a fresh container holding only the working directory; no attack passes', async () => {
    const out = await tempDir();
    const attacks = [...ATTACKS, 'background-writer'];
    const r = await runCli([
      'run', '--tasks', path.join(TAMPER, 'tasks'), '--harness-dir', path.join(TAMPER, 'harnesses'), '--verifier', 'separate',
      '--harness', 'oracle', ...attacks.flatMap((a) => ['--harness', a]), '--out', out, '--run-id', 'sep', '--reporter', 'summary',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'sep'));
    const by = Object.fromEntries(trials.map((t) => [t.harness, t]));
    expect(by.oracle).toMatchObject({ status: 'passed', verification: 'separate' });
    for (const attack of attacks) expect(by[attack], attack).toMatchObject({ status: 'failed', reward: 0, error: null, verification: 'separate' });
    expect(r.stdout).toMatch(/verified in a fresh container \(--verifier separate\): oracle 1/);
    const run = JSON.parse(await readFile(path.join(out, 'sep', 'run.json'), 'utf8'));
    expect(run.config.verifier).toBe('separate');
    expect(await containersOfRun('sep')).toBe(0);
  });

  it('warns once per run about task fields it reads but does not honour, naming the task and the field', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'unhonoured'), '--harness', 'oracle', '--out', out, '--run-id', 'warn', '--reporter', 'summary']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      'warning: environment.gpus is read but not honoured (task gpu-task)',
    ]);
  });

  it('a task that asks for a separate verifier ([verifier] environment_mode) gets one without the run option', async () => {
    const out = await tempDir();
    const r = await runCli([
      'run', '--tasks', path.join(TAMPER, 'asks-separate'), '--harness-dir', path.join(TAMPER, 'harnesses'),
      '--harness', 'oracle', '--harness', 'background-writer', '--harness', 'plant-reward-txt', '--out', out, '--run-id', 'ask', '--reporter', 'summary',
    ]);
    expect(r.code).toBe(0);
    const by = Object.fromEntries((await readTrials(path.join(out, 'ask'))).map((t) => [t.harness, t]));
    expect(by.oracle).toMatchObject({ status: 'passed', verification: 'separate' });
    expect(by['background-writer']).toMatchObject({ status: 'failed', verification: 'separate' });
    expect(by['plant-reward-txt']).toMatchObject({ status: 'failed', verification: 'separate' });
  });

  it('[verifier.environment] with tests/Dockerfile: the separate verifier runs in its own image on the agent\'s work', async () => {
    const out = await tempDir();
    const r = await runCli([
      'run', '--tasks', path.join(TAMPER, 'verifier-image'), '--harness-dir', path.join(TAMPER, 'harnesses'),
      '--harness', 'oracle', '--harness', 'plant-reward-txt', '--out', out, '--run-id', 'vimg', '--reporter', 'summary',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const by = Object.fromEntries((await readTrials(path.join(out, 'vimg'))).map((t) => [t.harness, t]));
    expect(by.oracle).toMatchObject({ status: 'passed', verification: 'separate' });
    expect(by['plant-reward-txt']).toMatchObject({ status: 'failed', verification: 'separate' });
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

describe('hbench run (end to end, real Docker)', () => {
  it('runs oracle and nop over Harbor, multi-step and TB1 tasks and writes a complete results folder', async () => {
    const out = await tempDir();
    const r1 = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'oracle', '--harness', 'nop', '--trials', '2', '--out', out, '--run-id', 'e2e']);
    expect(r1.stderr).not.toMatch(/Error/);
    expect(r1.code).toBe(0);
    const dir = path.join(out, 'e2e');
    const trials = await readTrials(dir);
    expect(trials).toHaveLength(2 * 2 * 2);
    expect(new Set(trials.map((t) => t.key)).size).toBe(8);
    for (const t of trials) expect(t.status).toBe(t.harness === 'oracle' ? 'passed' : 'failed');

    const multi = trials.find((t) => t.taskId === 'multi-count' && t.harness === 'oracle')!;
    expect(multi.steps.map((s) => [s.name, s.reward])).toEqual([['01-create', 1], ['02-append', 1], ['03-count', 1]]);
    expect(multi.actions).toBe(3);
    expect(multi.actionsOk).toBe(3);
    // min_reward on step 1 stops the nop trial early: later steps are skipped, not run.
    const multiNop = trials.find((t) => t.taskId === 'multi-count' && t.harness === 'nop')!;
    expect(multiNop.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(multiNop.reward).toBe(0);

    const run = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ runId: 'e2e', status: 'completed', counts: { planned: 8, finished: 8 }, config: { trials: 2 } });
    expect(Object.keys(run.images).sort()).toEqual(['hello', 'multi-count']);
    expect(run.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.harnesses.map((h: { name: string }) => h.name)).toEqual(['oracle', 'nop']);

    const trialDir = path.join(dir, 'trials', 'hello__oracle__1');
    for (const f of ['instruction.md', 'harness.log', 'trajectory.jsonl', 'verifier/stdout.txt', 'verifier/logs/reward.txt']) {
      expect(existsSync(path.join(trialDir, f)), f).toBe(true);
    }
    expect(existsSync(path.join(dir, 'trials', 'multi-count__oracle__1', 'verifier', '02-append', 'logs', 'reward.txt'))).toBe(true);
    const csv = await readFile(path.join(dir, 'summary.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('harness,tasks,trials,passed,failed,timeout,error,pass_rate,ci_low,ci_high,se,ci_method,mean_reward,k,pass_at_k,pass_hat_k,mean_duration_ms');
    // 2 tasks × 2 trials, all passed (all failed): Wilson on the 4 pooled trials with t(0.975, 1) = 12.706 (scipy) gives
    // [0.02418, 1] ([0, 0.97582]) — never the zero-width [1, 1] of before issue 10.
    expect(csv).toMatch(/^oracle,2,4,4,0,0,0,1,0\.02417683\d*,1,0,cluster-wilson,1,/m);
    expect(csv).toMatch(/^nop,2,4,0,4,0,0,0,0,0\.97582316\d*,0,cluster-wilson,0,/m);
    expect(r1.stdout).toMatch(/oracle\s+4\s+4\s+0\s+0\s+0\s+100\.0% \[2\.4%, 100\.0%\]\s+100\.0%\s+100\.0%/);
    // Per-step figures for the multi-step task: the nop fails step 1 and never runs the rest.
    expect(r1.stdout).toMatch(/nop\s+multi-count\s+1\. 01-create\s+2\s+0\.0%/);
    expect(r1.stdout).toMatch(/nop\s+multi-count\s+2\. 02-append\s+0\s+–/);
    const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
    expect(summary.harnesses[0]).toMatchObject({ harness: 'oracle', passRate: { rate: 1, method: 'cluster-wilson', clusters: 2 }, passK: [{ k: 1 }, { k: 2, passAtK: 1, passHatK: 1 }] });
    expect(await containersOfRun('e2e')).toBe(0);
  });

  it('reads Terminal-Bench 1 tasks: TEST_DIR, solution.yaml, pytest summary', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tb1'), '--harness', 'oracle', '--harness', 'nop', '--out', out, '--run-id', 'tb1']);
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'tb1'));
    const oracle = trials.find((t) => t.harness === 'oracle')!;
    expect(oracle.status).toBe('passed');
    expect(oracle.rewards).toMatchObject({ reward: 1, tests_passed: 3, tests_failed: 0 });
    expect(oracle.actions).toBe(2);
    expect(trials.find((t) => t.harness === 'nop')!.status).toBe('failed');
  });

  it('keeps infrastructure errors apart from failures and goes on', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'bad'), '--exclude', 'wrong-field', '--harness', 'oracle', '--out', out, '--run-id', 'bad']);
    expect(r.code).toBe(1);
    const trials = await readTrials(path.join(out, 'bad'));
    const by = Object.fromEntries(trials.map((t) => [t.taskId, t]));
    expect(by['build-fails']).toMatchObject({ status: 'error', error: { class: 'ImageBuildError', phase: 'build' } });
    expect(by['build-fails']!.error!.message).toContain('build-fails/environment/Dockerfile');
    // A verifier that wrote no reward after the agent ran is a failure (reward 0), never an excluded error (issue 9).
    expect(by['no-reward']).toMatchObject({ status: 'failed', reward: 0, error: null, reason: 'no-reward' });
    expect(by['no-reward']!.steps[0]!.rewardProblem).toContain('wrote no reward');
    expect(by['nop-passes']!.status).toBe('passed');
    expect(existsSync(path.join(out, 'bad', 'builds', 'build-fails.log'))).toBe(true);
    expect(await containersOfRun('bad')).toBe(0);
  });

  it('enforces the agent timeout, kills the agent, and still verifies', async () => {
    const out = await tempDir();
    const started = Date.now();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'slow'), '--harness', path.join(FIXTURES, 'harnesses/sleepy.yaml'), '--harness', 'oracle', '--out', out, '--run-id', 'slow']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const trials = await readTrials(path.join(out, 'slow'));
    const sleepy = trials.find((t) => t.harness === 'sleepy')!;
    expect(sleepy.status).toBe('timeout');
    expect(sleepy.steps[0]).toMatchObject({ agentTimedOut: true, reward: 0 });
    expect(sleepy.phases.agent).toBeLessThan(6000);
    // The oracle's solution writes the file, then hangs: killed at the timeout, verified, and it passes.
    expect(trials.find((t) => t.harness === 'oracle')).toMatchObject({ status: 'passed', steps: [{ agentTimedOut: true }] });
    expect(existsSync(path.join(out, 'slow', 'trials', 'slow-agent__sleepy__1', 'verifier', 'stdout.txt'))).toBe(true);
  });
});

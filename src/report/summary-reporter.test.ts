import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { TrialResult } from '../records/trial-result.js';
import { summarise } from '../scoring/summary.js';
import { tempDir } from '../test-support/cli.js';
import { SummaryReporter } from './summary-reporter.js';

const trial = (taskId: string, n: number, status: TrialResult['status']) => ({ key: `${taskId}__h__${n}`, taskId, harness: 'h', trial: n, status, reward: status === 'passed' ? 1 : 0, steps: [], actions: 1, actionsOk: 1, tokens: { input: 1, output: 1, cached: 0 }, costUsd: 0, durationMs: 10 }) as unknown as TrialResult;

describe('SummaryReporter', () => {
  it('writes pass@k and pass^k at the largest k into summary.csv', async () => {
    const dir = await tempDir();
    const trials = [trial('a', 1, 'passed'), trial('a', 2, 'failed'), trial('b', 1, 'failed'), trial('b', 2, 'failed')];
    const summary = summarise('r', trials);
    await new SummaryReporter({ outDir: dir, print: () => undefined }).onEnd(summary, trials, false);
    const [header, row] = (await readFile(`${dir}/summary.csv`, 'utf8')).trim().split('\n');
    const cols = header!.split(',');
    const cells = row!.split(',');
    const at = (c: string) => cells[cols.indexOf(c)];
    expect(cols).toEqual(expect.arrayContaining(['k', 'pass_at_k', 'pass_hat_k']));
    expect(at('k')).toBe('2');
    expect(Number(at('pass_at_k'))).toBeCloseTo(summary.harnesses[0]!.passK.at(-1)!.passAtK);
    expect(Number(at('pass_at_k'))).toBeCloseTo(0.5);
    expect(Number(at('pass_hat_k'))).toBeCloseTo(0);
  });
});

import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/records/run-record.js';
import type { TrialResult } from '../../src/records/trial-result.js';
import { outcomesByKey, summaryRates } from '../../src/test-support/same-results.js';
import { FIXTURES, containersOfRun, readTrials, runCli, startCli, tempDir, waitFor } from '../../src/test-support/cli.js';

describe('shard + merge (real Docker)', () => {
  it('N shards, one killed and resumed, merge into the same trials and statistics as one machine', async () => {
    const out = await tempDir();
    const suite = path.join(out, 'suite');
    await cp(path.join(FIXTURES, 'tasks'), suite, { recursive: true });
    await cp(path.join(FIXTURES, 'tb1', 'tb1-hello'), path.join(suite, 'tb1-hello'), { recursive: true });
    const common = ['--tasks', suite, '--harness', 'oracle', '--harness', 'nop', '--harness', 'baseline', '--model', 'sim', '--sim-mistake-rate', '0.4', '--seed', '3', '--trials', '2', '--out', out, '--reporter', 'summary'];

    const single = await runCli(['run', ...common, '--run-id', 'one', '--concurrency', '4']);
    expect(single.code, single.stderr).toBe(0);

    // Shard 2 is killed (kill -9) after its first trial is recorded, then resumed.
    const shardDir = (i: number) => path.join(out, `nightly.shard-${i}-of-3`);
    const killed = startCli(['run', ...common, '--run-id', 'nightly', '--shard', '2/3', '--concurrency', '1']);
    await waitFor(async () => (await readTrials(shardDir(2)).catch(() => [])).length >= 1, 120_000, 'shard 2 to record a trial');
    killed.child.kill('SIGKILL');
    await killed.done;
    const before = await readTrials(shardDir(2));
    expect(before.length).toBeLessThan(6);
    const status = await runCli(['status', out]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/nightly: \d+\/18 trials .*1\/3 shards; shard\(s\) 1, 3 of 3 not started/);

    const others = await Promise.all([1, 3].map((i) => runCli(['run', ...common, '--run-id', 'nightly', '--shard', `${i}/3`, '--concurrency', '2'])));
    for (const r of others) expect(r.code, r.stderr).toBe(0);
    const refused = await runCli(['merge', shardDir(1), shardDir(2), shardDir(3), '--out', path.join(out, 'early')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not recorded by their shard .*finish with hbench run --resume .*nightly\.shard-2-of-3/);
    const resumed = await runCli(['run', '--resume', shardDir(2)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await readTrials(shardDir(2));
    expect(after.slice(0, before.length)).toEqual(before); // finished trials were not repeated
    expect(new Set(after.map((t) => t.key)).size).toBe(after.length);

    const merged = await runCli(['merge', shardDir(3), shardDir(1), shardDir(2), '--out', path.join(out, 'nightly')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merged 3 shard\(s\) from 1 machine\(s\): 18\/18 trials/);

    const one = await readTrials(path.join(out, 'one'));
    const all = await readTrials(path.join(out, 'nightly'));
    expect(all).toHaveLength(18);
    expect(outcomesByKey(all)).toEqual(outcomesByKey(one));
    const summary = async (run: string) => JSON.parse(await readFile(path.join(out, run, 'summary.json'), 'utf8'));
    expect(summaryRates(await summary('nightly'))).toEqual(summaryRates(await summary('one')));
    const record = JSON.parse(await readFile(path.join(out, 'nightly', 'run.json'), 'utf8')) as RunRecord;
    expect(record).toMatchObject({ runId: 'nightly', status: 'completed', counts: { planned: 18, finished: 18 } });
    expect(record.shards!.map((s) => [s.index, s.trials, s.resumes.length])).toEqual([[1, 6, 0], [2, 6, 1], [3, 6, 0]]);
    expect(record.model).toMatchObject({ simulated: true });
    expect((await readFile(path.join(out, 'nightly', 'report.html'), 'utf8')).length).toBeGreaterThan(1000);
    expect(await containersOfRun('nightly')).toBe(0);

    // The merged folder is a results folder like any other.
    const cmp = await runCli(['compare', `${path.join(out, 'nightly')}#nop`, `${path.join(out, 'nightly')}#oracle`, '--format', 'json']);
    expect(cmp.code, cmp.stderr).toBe(0);
  }, 600_000);
});

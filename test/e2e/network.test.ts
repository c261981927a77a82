import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

describe('per-phase network policy (real Docker)', () => {
  it('[agent] and [verifier] network_mode switch the container on and off its network between phases', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'network/tasks'), '--harness-dir', path.join(FIXTURES, 'network/harnesses'), '--harness', 'probe', '--out', out, '--run-id', 'net', '--reporter', 'summary']);
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'net'));
    expect(Object.fromEntries(trials.map((t) => [t.taskId, t.status]))).toEqual({ 'agent-offline': 'passed', 'verifier-offline': 'passed' });
    expect(await containersOfRun('net')).toBe(0);
  });
});

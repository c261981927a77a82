import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/test-support/cli.js';

describe('the sample suite in tasks/', () => {
  it('is green under `hbench tasks check`: every reference solution passes, every no-op fails', async () => {
    const r = await runCli(['tasks', 'check', 'tasks', '--concurrency', '4']);
    expect(r.stdout).not.toMatch(/BROKEN|ERROR|INVALID/);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /\s(ok)$/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(12);
    // At least four multi-step tasks with three or more steps.
    expect(rows.filter((l) => /harbor\s+([3-9]|\d\d)\s/.test(l)).length).toBeGreaterThanOrEqual(4);
  }, 600_000);
});

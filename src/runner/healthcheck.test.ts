import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecResult, Sandbox } from '../sandbox/sandbox.js';
import type { Healthcheck } from '../tasks/task.js';
import { tempDir } from '../test-support/cli.js';
import { passHealthcheck } from './healthcheck.js';

/** A sandbox whose check fails `failFirst` times, then passes; sleeping advances nothing but a counter. */
function flaky(failFirst: number): Sandbox & { calls: number } {
  const s = {
    calls: 0,
    async exec(): Promise<ExecResult> {
      s.calls++;
      const ok = s.calls > failFirst;
      return { exitCode: ok ? 0 : 1, stdout: ok ? 'ready\n' : 'not yet\n', stderr: '', stdoutBytesCut: 0, stderrBytesCut: 0, fileBytesCut: 0, durationMs: 1, timedOut: false, aborted: false };
    },
  };
  return s as unknown as Sandbox & { calls: number };
}

const hc = (over: Partial<Healthcheck> = {}): Healthcheck => ({ command: 'check', intervalSec: 0, timeoutSec: 5, startPeriodSec: 0, startIntervalSec: 0, retries: 3, ...over });
const options = async () => ({ signal: new AbortController().signal, logFile: path.join(await tempDir(), 'healthcheck.log'), what: 't [environment.healthcheck]', sleep: async () => undefined });

describe('healthcheck gate', () => {
  it('passes as soon as the check passes, within the retries', async () => {
    const o = await options();
    expect(await passHealthcheck(flaky(2), hc(), o)).toBe(3);
    const log = await readFile(o.logFile, 'utf8');
    expect(log).toContain('attempt 1: exit 1');
    expect(log).toContain('attempt 3: exit 0\nready');
  });

  it('fails after `retries` consecutive failures, naming the command and keeping every attempt in the log', async () => {
    const o = await options();
    const sb = flaky(99);
    await expect(passHealthcheck(sb, hc({ retries: 2 }), o)).rejects.toThrow(/`check` failed 2 time\(s\) in a row after 2 attempt/);
    expect(sb.calls).toBe(2);
    expect((await readFile(o.logFile, 'utf8')).match(/attempt/g)).toHaveLength(2);
  });

  it('does not count failures during the start period', async () => {
    const o = await options();
    const sb = flaky(4);
    let slept = 0;
    // The start period lasts while fewer than 4 sleeps happened (time is simulated by the sleeps).
    const started = Date.now();
    const realNow = performance.now.bind(performance);
    let offset = 0;
    performance.now = () => realNow() + offset;
    try {
      await expect(passHealthcheck(sb, hc({ retries: 1, startPeriodSec: 10, startIntervalSec: 3 }), { ...o, sleep: async (ms) => void ((slept += ms), (offset += ms)) })).resolves.toBe(5);
    } finally {
      performance.now = realNow;
    }
    expect(slept).toBe(4 * 3000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

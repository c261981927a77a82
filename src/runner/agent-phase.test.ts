import { describe, expect, it } from 'vitest';
import type { SandboxUsage } from '../sandbox/sandbox.js';
import { fakeSandbox, execResult } from '../test-support/fake-sandbox.js';
import { watchLimits } from './agent-phase.js';

/** A sandbox whose usage() answers each sample from a list (the last answer repeats). */
function sampled(samples: Array<Partial<SandboxUsage>>) {
  const s = fakeSandbox(() => execResult());
  let i = 0;
  s.usage = async () => ({ running: true, pids: 1, pidsLimit: 100, diskBytes: 0, ...samples[Math.min(i++, samples.length - 1)] });
  return s;
}

function hitOf(sandbox: ReturnType<typeof sampled>, caps = { diskBytes: 1000, pidsLimit: 100 }, waitMs = 2500): Promise<string | null> {
  return new Promise((resolve) => {
    const w = watchLimits(sandbox, caps, (hit, detail) => resolve(`${hit}: ${detail}`));
    setTimeout(() => (w.stop(), resolve(null)), waitMs);
  });
}

describe('the limits watchdog', () => {
  it('stops at the storage cap, naming it and what was written', async () => {
    expect(await hitOf(sampled([{ diskBytes: 10 }, { diskBytes: 2 * 1024 * 1024 }]), { diskBytes: 1024 * 1024, pidsLimit: 100 })).toBe(
      "disk-limit: the sandbox's filesystem reached storage_mb = 1 (2 MB written, sampled by hbench)",
    );
  });

  it('stops when the processes stay near the pids limit, not on one busy sample', async () => {
    expect(await hitOf(sampled([{ pids: 99 }, { pids: 3 }, { pids: 90 }, { pids: 95 }]))).toBe('pids-limit: the sandbox stayed at pids_limit = 100 processes');
    expect(await hitOf(sampled([{ pids: 99 }, { pids: 3 }, { pids: 99 }, { pids: 3 }]), undefined, 1800)).toBeNull();
  });

  it('skips samples the engine could not answer', async () => {
    const s = sampled([]);
    s.usage = async () => Promise.reject(new Error('engine busy'));
    expect(await hitOf(s, undefined, 1200)).toBeNull();
  });
});

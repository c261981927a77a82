import { describe, expect, it } from 'vitest';
import { storageOptSupported } from './docker-limits.js';
import { parseLimitCounters } from './docker-sandbox.js';

describe('the cgroup counters read inside a sandbox', () => {
  it('reads cgroup v1 (memory.oom_control, pids/pids.events)', () => {
    const v1 = '== /sys/fs/cgroup/memory/memory.oom_control\noom_kill_disable 0\nunder_oom 0\noom_kill 2\n== /sys/fs/cgroup/pids/pids.events\nmax 17\n';
    expect(parseLimitCounters(v1)).toEqual({ oomKills: 2, forksRefused: 17 });
  });

  it('reads cgroup v2, where memory.events also has a `max` line that is not a refused fork', () => {
    const v2 = '== /sys/fs/cgroup/memory.events\nlow 0\nhigh 0\nmax 40\noom 1\noom_kill 1\n== /sys/fs/cgroup/pids.events\nmax 0\n';
    expect(parseLimitCounters(v2)).toEqual({ oomKills: 1, forksRefused: 0 });
  });

  it('is null when no counter file could be read', () => {
    expect(parseLimitCounters('')).toBeNull();
  });
});

describe('whether the engine caps a writable layer', () => {
  it('overlay2 only on xfs; btrfs and zfs always; others not', () => {
    expect(storageOptSupported({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'xfs']] })).toBe(true);
    expect(storageOptSupported({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] })).toBe(false);
    expect(storageOptSupported({ Driver: 'btrfs' })).toBe(true);
    expect(storageOptSupported({ Driver: 'vfs' })).toBe(false);
  });
});

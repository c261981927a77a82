import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../tasks/loader.js';
import type { Task } from '../tasks/task.js';
import { DockerBackend } from './docker-backend.js';
import type { PreparedImage, Sandbox } from './sandbox.js';

const FIXTURE = path.resolve('test/fixtures/tasks/hello');
const MiB = 1024 * 1024;

describe('containing what runs in a sandbox (real engine)', () => {
  const backend = new DockerBackend({ runId: 'test-containment' });
  let task: Task;
  let image: PreparedImage;

  beforeAll(async () => {
    // No skip: without an engine this fails, as CI must.
    await backend.ping();
    task = await loadTask(FIXTURE);
    image = await backend.prepare(task.environment, { taskId: task.id, taskFile: task.configFile });
  });
  afterAll(() => backend.close());

  const start = (overrides: Partial<Task['environment']> = {}): Promise<Sandbox> =>
    backend.start({ image, environment: { ...task.environment, ...overrides }, name: 'containment-test' });

  it('restart kills processes that ignore SIGTERM, even outside the command\'s process group, and keeps the files', async () => {
    await using sb = await start();
    await sb.exec(`echo kept > /app/work.txt; setsid sh -c "trap '' TERM; sleep 1000" </dev/null >/dev/null 2>&1 &`);
    // No ps in a slim image: count from /proc.
    const sleepers = async () => Number((await sb.exec(`for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 1000' || true`)).stdout.trim());
    expect(await sleepers()).toBe(1);
    await sb.restart();
    expect((await sb.exec('cat /app/work.txt')).stdout).toBe('kept\n');
    expect(await sleepers()).toBe(0);
  });

  it('measures disk and processes from outside, and reads the cgroup counters inside', async () => {
    await using sb = await start({ pidsLimit: 64 });
    await sb.exec('head -c 20m /dev/zero > /fill');
    const u = await sb.usage();
    expect(u).toMatchObject({ running: true, pidsLimit: 64 });
    expect(u.diskBytes!).toBeGreaterThanOrEqual(20 * MiB);
    expect(await sb.limitCounters()).toEqual({ oomKills: 0, forksRefused: 0 });
  });

  it('kills a command past the output limit and keeps only the head and tail on disk', async () => {
    await using sb = await start();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'containment-'));
    const file = path.join(dir, 'out.txt');
    const r = await sb.exec('yes | head -c 100m', { stdoutFile: file, maxOutputBytes: 8 * MiB, fileCap: { headBytes: MiB, tailBytes: MiB } });
    expect(r.outputStopped).toBe(true);
    expect(r.exitCode).not.toBe(0);
    expect((await stat(file)).size).toBeLessThanOrEqual(2 * MiB + 100);
    expect(await readFile(file, 'utf8')).toMatch(/\n\[… \d+ bytes cut …\]\n/);
    expect(sb.outputBytesCut).toBeGreaterThan(0);
  });

  it('caps the log of the container\'s main process', async () => {
    await using sb = await start();
    const info = await new Docker().getContainer(sb.id).inspect();
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } });
  });
});

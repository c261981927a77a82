import path from 'node:path';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../tasks/loader.js';
import type { Task } from '../tasks/task.js';
import { DockerBackend } from './docker-backend.js';
import { LABEL } from './docker-labels.js';
import type { PreparedImage, Sandbox } from './sandbox.js';

const FIXTURE = path.resolve('test/fixtures/tasks/hello');

describe('DockerSandbox (real engine)', () => {
  const provider = new DockerBackend({ runId: 'test-sandbox' });
  let task: Task;
  let image: PreparedImage;

  beforeAll(async () => {
    // No skip: without an engine this fails, as CI must.
    await provider.ping();
    task = await loadTask(FIXTURE);
    image = await provider.prepare(task.environment, { taskId: task.id, taskFile: task.configFile });
  });
  afterAll(() => provider.close());

  async function start(overrides: Partial<Task['environment']> = {}): Promise<Sandbox> {
    return provider.start({ image, environment: { ...task.environment, ...overrides }, name: 'sandbox-test' });
  }

  it('runs commands with exit code, output and duration', async () => {
    await using sb = await start();
    const r = await sb.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, aborted: false });
    expect(r.durationMs).toBeGreaterThan(0);
    expect((await sb.exec('pwd')).stdout.trim()).toBe('/app');
  });

  it('output the disk refuses (ENOSPC) stops the command and is its error, naming the file, instead of crashing', async () => {
    await using sb = await start();
    const started = performance.now();
    // /dev/full refuses every write with ENOSPC, as a full results disk does.
    const err = await sb.exec('yes | head -c 1000000; sleep 30', { stdoutFile: '/dev/full' }).then(() => null, (e: unknown) => e as NodeJS.ErrnoException);
    expect(err).toMatchObject({ code: 'ENOSPC', path: '/dev/full' });
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('kills a command that runs past its timeout, children included', async () => {
    await using sb = await start();
    const r = await sb.exec('sleep 30 & sleep 30; echo never', { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.stdout).not.toContain('never');
    expect(r.durationMs).toBeLessThan(5000);
    const ps = await sb.exec('ls /proc | grep -E "^[0-9]+$" | while read p; do cat /proc/$p/cmdline 2>/dev/null | tr "\\0" " "; echo; done');
    expect(ps.stdout).not.toContain('sleep 30');
  });

  it('stops a command when its signal aborts', async () => {
    await using sb = await start();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await sb.exec('sleep 30', { signal: ac.signal });
    expect(r).toMatchObject({ aborted: true, timedOut: false });
  });

  it('keeps memory bounded and writes the full output to disk', async () => {
    await using sb = await start();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hbench-out-'));
    const file = path.join(dir, 'stdout.txt');
    const r = await sb.exec('seq 1 200000', { maxBufferBytes: 1024, stdoutFile: file });
    expect(r.stdout.length).toBeLessThan(1200);
    expect(r.stdoutBytesCut).toBeGreaterThan(1_000_000);
    expect(r.stdout.startsWith('1\n2\n')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('200000')).toBe(true);
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(200001);
  });

  it('copies files in and out', async () => {
    await using sb = await start();
    await sb.uploadDir(path.join(FIXTURE, 'tests'), '/tests');
    await sb.writeFiles('/data/x', [{ path: 'a/b.txt', content: 'hi' }]);
    expect((await sb.readFile('/data/x/a/b.txt'))?.toString()).toBe('hi');
    expect(await sb.readFile('/nope')).toBeNull();
    const dir = await sb.readDir('/tests');
    expect([...dir.keys()]).toEqual(['test.sh']);
    expect((await sb.exec('test -x /tests/test.sh')).exitCode).toBe(0);
  });

  it('applies network, memory, cpu and pids limits', async () => {
    await using sb = await start({ memoryMb: 128, pidsLimit: 64 });
    const inspect = await provider.docker.getContainer(sb.id).inspect();
    expect(inspect.HostConfig.NetworkMode).toBe('none');
    expect(inspect.HostConfig.Memory).toBe(128 * 1024 * 1024);
    expect(inspect.HostConfig.PidsLimit).toBe(64);
    expect(inspect.HostConfig.NanoCpus).toBe(1e9);
    expect(inspect.Config.Labels[LABEL.run]).toBe('test-sandbox');
    const net = await sb.exec('cat /proc/net/dev | grep -c eth0 || true');
    expect(net.stdout.trim()).toBe('0');
    const fork = await sb.exec('for i in $(seq 1 100); do sleep 5 & done; wait', { timeoutMs: 10_000 });
    expect(fork.stderr).toMatch(/fork|resource/i);
  });

  it('removes the container on close, idempotently', async () => {
    const sb = await start();
    await sb.close();
    await sb.close();
    await expect(provider.docker.getContainer(sb.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

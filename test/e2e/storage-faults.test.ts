/**
 * The results disk fails under a real run (real Docker, the real CLI): a small tmpfs mounted as --out fills up mid-run,
 * or is remounted read-only mid-run. The run stops with exit 3 and one line naming the file, the OS error and the fix;
 * trials.jsonl and run.json stay valid; once the disk is fixed, --resume finishes with every trial exactly once.
 * Needs root (mount); it fails, never skips, without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, containersOfRun, readTrials, runCli, startCli, waitFor } from '../../src/test-support/cli.js';

const PREFIX = 'hbench-storage-e2e-';
const HELLO = path.join(FIXTURES, 'tasks/hello');
const mounted: string[] = [];

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();

async function mountTmpfs(size: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), PREFIX));
  sh('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

/** Mounts left by a test run that was killed (a later run must not inherit a full or read-only disk). */
function sweepStaleMounts(): void {
  const stale = sh('cat', ['/proc/mounts'])
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((p) => path.basename(p).startsWith(PREFIX));
  for (const p of stale) sh('umount', ['-l', p]);
}

/** An agent that prints `bytes` bytes (kept in agent/main.stdout.txt), then does the task. */
async function loudHarness(bytes: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hbench-storage-harness-'));
  const file = path.join(dir, 'loud.yaml');
  await writeFile(file, `kind: command\nrun: yes x | head -c ${bytes}; echo hello > /app/hello.txt\n`);
  return file;
}

function expectValidFiles(dir: string, trials: Awaited<ReturnType<typeof readTrials>>) {
  return (async () => {
    const text = await readFile(path.join(dir, 'trials.jsonl'), 'utf8');
    expect(text === '' || text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(trials.map((t) => t.key));
    expect(['running', 'failed']).toContain(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).status);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  })();
}

function expectOneLineError(stderr: string, code: string, fix: RegExp, dir: string) {
  const lines = stderr.split('\n').filter((l) => l.startsWith('hbench: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`: cannot write \\(${code}: `));
  expect(lines[0]).toMatch(fix);
  expect(lines[0]).toContain(`then finish with hbench run --resume ${dir}`);
}

describe('results storage faults on a real disk (tmpfs, real Docker)', () => {
  beforeAll(() => sweepStaleMounts());
  afterEach(() => {
    for (const dir of mounted.splice(0)) sh('umount', ['-l', dir]);
  });

  it('the disk fills mid-run: a clean stop (exit 3, one line), valid files; grown, --resume finishes every trial once', async () => {
    // Each trial keeps about 0.8 MB (the agent's output and its trajectory): the third or fourth fills the disk.
    const out = await mountTmpfs('2m');
    const harness = await loudHarness(700_000);
    const args = ['--tasks', HELLO, '--harness', harness, '--trials', '4', '--concurrency', '2', '--out', out, '--run-id', 'full', '--reporter', 'summary'];
    const r = await runCli(['run', ...args]);
    const dir = path.join(out, 'full');
    expect(r.code, r.stderr).toBe(3);
    expectOneLineError(r.stderr, 'ENOSPC', /free space on the disk holding /, dir);
    const partial = await readTrials(dir);
    expect(partial.length).toBeLessThan(4);
    await expectValidFiles(dir, partial);
    expect(await containersOfRun('full')).toBe(0);
    // A full disk still lets the lock go.
    expect(await readdir(dir)).not.toContain('.hbench.lock');

    sh('mount', ['-o', 'remount,size=64m', out]);
    const resumed = await runCli(['run', '--resume', dir, '--reporter', 'summary']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = await readTrials(dir);
    expect(all.map((t) => t.key).sort()).toEqual([1, 2, 3, 4].map((n) => `hello__loud__${n}`));
    expect(all.slice(0, partial.length)).toEqual(partial);
    expect(all.every((t) => t.status === 'passed')).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).status).toBe('completed');
  }, 300_000);

  it('the folder turns read-only mid-run: a clean stop (exit 3, one line); rw again, --resume finishes every trial once', async () => {
    const out = await mountTmpfs('64m');
    const harness = await loudHarness(1000);
    const dir = path.join(out, 'ro');
    const run = startCli(['run', '--tasks', HELLO, '--harness', harness, '--trials', '3', '--concurrency', '1', '--out', out, '--run-id', 'ro', '--reporter', 'summary']);
    await waitFor(async () => (await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '')).includes('\n'), 240_000, 'the first trial to be recorded');
    // A file open for writing makes the remount busy: it goes through between two writes.
    await waitFor(() => {
      try {
        sh('mount', ['-o', 'remount,ro', out]);
        return true;
      } catch {
        return false;
      }
    }, 30_000, 'a read-only remount');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(3);
    expectOneLineError(r.stderr, 'EROFS', /make .* writable/, dir);
    const partial = await readTrials(dir);
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(3);
    await expectValidFiles(dir, partial);
    expect(await containersOfRun('ro')).toBe(0);

    sh('mount', ['-o', 'remount,rw', out]);
    const resumed = await runCli(['run', '--resume', dir, '--reporter', 'summary']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = await readTrials(dir);
    expect(all.map((t) => t.key).sort()).toEqual([1, 2, 3].map((n) => `hello__loud__${n}`));
    expect(all.slice(0, partial.length)).toEqual(partial);
    // A read-only folder kept the lock its run could not remove; its owner is gone, so the resume took it over.
    expect(resumed.stderr).toContain('took over the lock');
    expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).status).toBe('completed');
  }, 300_000);
});

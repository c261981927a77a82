import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

describe('artifacts and image entrypoints (real Docker)', () => {
  it('copies declared artifacts, /logs/artifacts and --artifact paths into the trial folder with a manifest; a missing one never fails the trial', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'artifacts/tasks'), '--harness', 'oracle', '--artifact', '/etc/debian_version', '--out', out, '--run-id', 'art', '--reporter', 'summary']);
    expect(r.code).toBe(0);
    expect((await readTrials(path.join(out, 'art')))[0]!.status).toBe('passed');
    const dir = path.join(out, 'art', 'trials', 'with-artifacts__oracle__1', 'artifacts');
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.map((e: { source: string; destination: string; type: string; status: string; files: number }) => [e.source, e.destination, e.type, e.status, e.files])).toEqual([
      ['/app/hello.txt', 'app/hello.txt', 'file', 'ok', 1],
      ['/app/out', 'outdir', 'directory', 'ok', 2],
      ['/app/missing', 'app/missing', null, 'failed', 0],
      ['/etc/debian_version', 'etc/debian_version', 'file', 'ok', 1],
      ['/logs/artifacts', 'logs-artifacts', 'directory', 'ok', 1],
    ]);
    expect(manifest[2].error).toMatch(/does not exist/);
    expect(await readFile(path.join(dir, 'app/hello.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(path.join(dir, 'outdir/sub/b.txt'), 'utf8')).toBe('b\n');
    expect(await readFile(path.join(dir, 'logs-artifacts/note.txt'), 'utf8')).toBe('note\n');
    const bad = await runCli(['run', '--tasks', path.join(FIXTURES, 'artifacts/tasks'), '--harness', 'oracle', '--artifact', 'relative/path', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--artifact relative\/path: give an absolute path/);
  });

  it("honours an image's own ENTRYPOINT: the service it starts is up for the agent and the verifier", async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'entrypoint/tasks'), '--harness', 'oracle', '--harness', 'nop', '--out', out, '--run-id', 'ep', '--reporter', 'summary']);
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'ep'));
    expect(Object.fromEntries(trials.map((t) => [t.harness, t.status]))).toEqual({ oracle: 'passed', nop: 'failed' });
  });

  it('a separate verifier gets the declared artifacts outside the working directory, where the agent left them', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'artifacts/separate'), '--harness', 'oracle', '--harness', 'nop', '--out', out, '--run-id', 'separt', '--reporter', 'summary']);
    expect(r.code).toBe(0);
    const trials = await readTrials(path.join(out, 'separt'));
    expect(Object.fromEntries(trials.map((t) => [t.harness, [t.status, t.verification]]))).toEqual({ oracle: ['passed', 'separate'], nop: ['failed', 'separate'] });
  });
});

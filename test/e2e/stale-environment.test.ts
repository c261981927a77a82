import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, readTrials, runCli, tempDir } from '../../src/test-support/cli.js';

/**
 * Issue 13: after the base image was rebuilt under the same tag, every task kept running on its old image, silently.
 * An environment image is reused only while its build context and the ids of the images it starts FROM are unchanged.
 */
describe('no stale environments (real Docker)', () => {
  const base = `hbench-test-base:stale-${process.pid}`;
  const made: string[] = [base];

  afterAll(() => {
    for (const ref of made) execFileSync('docker', ['image', 'rm', '-f', ref], { stdio: 'ignore' });
  });

  function buildBase(flavour: string): string {
    execFileSync('docker', ['build', '-q', '-t', base, '-'], { input: `FROM debian:bookworm-slim\nRUN echo ${flavour} > /flavour\n` });
    return execFileSync('docker', ['image', 'inspect', '-f', '{{.Id}}', base], { encoding: 'utf8' }).trim();
  }

  it('rebuilds a task image when its base image changed under the same tag, and records the base ids', async () => {
    const tasks = await tempDir();
    const task = path.join(tasks, 'flavour');
    await cp(path.join(FIXTURES, 'tasks/hello'), task, { recursive: true });
    await writeFile(path.join(task, 'environment/Dockerfile'), `ARG BASE=${base}\nFROM \${BASE} AS env\nWORKDIR /app\n`);
    // The oracle copies the base image's flavour into the answer; the verifier passes only on "new".
    await writeFile(path.join(task, 'solution/solve.sh'), '#!/bin/bash\ncp /flavour /app/hello.txt\n');
    await writeFile(path.join(task, 'tests/test.sh'), '#!/bin/bash\nmkdir -p /logs/verifier\n[ "$(cat /app/hello.txt)" = new ] && echo 1 > /logs/verifier/reward.txt || echo 0 > /logs/verifier/reward.txt\n');
    const out = await tempDir();
    const run = (id: string) => runCli(['run', '--tasks', tasks, '--harness', 'oracle', '--out', out, '--run-id', id, '--reporter', 'summary']);

    const oldId = buildBase('old');
    const first = await run('first');
    expect(first.code, first.stderr).toBe(0);
    expect((await readTrials(path.join(out, 'first')))[0]!.status).toBe('failed');
    const r1 = JSON.parse(await readFile(path.join(out, 'first/run.json'), 'utf8'));
    expect(r1.images.flavour.bases).toEqual([{ ref: base, id: oldId }]);
    made.push(r1.images.flavour.ref);

    // Same tag, new content: the next run must build on the new base, not reuse the old image.
    const newId = buildBase('new');
    expect(newId).not.toBe(oldId);
    const second = await run('second');
    expect(second.code, second.stderr).toBe(0);
    const r2 = JSON.parse(await readFile(path.join(out, 'second/run.json'), 'utf8'));
    made.push(r2.images.flavour.ref);
    expect(r2.images.flavour.bases).toEqual([{ ref: base, id: newId }]);
    expect(r2.images.flavour.ref).not.toBe(r1.images.flavour.ref);
    expect(r2.images.flavour.id).not.toBe(r1.images.flavour.id);
    expect((await readTrials(path.join(out, 'second')))[0]!.status).toBe('passed');

    // Unchanged inputs: the image is reused (no rebuild, same id).
    const third = await run('third');
    expect(third.code, third.stderr).toBe(0);
    const r3 = JSON.parse(await readFile(path.join(out, 'third/run.json'), 'utf8'));
    expect(r3.images.flavour).toEqual(r2.images.flavour);
  });
});

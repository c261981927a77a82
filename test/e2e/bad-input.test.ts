import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../../src/test-support/cli.js';

/**
 * Bad input that does not end in exit 2. Every input that does (task, harness and price files, flags, results
 * folders) is a row of the table in src/test-support/bad-inputs.ts, run by bad-input-table.test.ts.
 */
describe('bad input', () => {
  it('tasks list names the broken task and exits 1', async () => {
    const r = await runCli(['tasks', 'list', path.join(FIXTURES, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/wrong-field .*INVALID/);
    expect(r.stdout).toContain('agent.timeout_sec');
  });

  it('no Docker engine', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'nop', '--out', out, '--run-id', 'nodocker'], { DOCKER_HOST: 'unix:///tmp/hbench-no-such-docker.sock' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hbench: no Docker engine is reachable \(unix:\/\/\/tmp\/hbench-no-such-docker\.sock.*start Docker or set DOCKER_HOST/);
  });
});

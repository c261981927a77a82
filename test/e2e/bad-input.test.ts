import path from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../../src/test-support/cli.js';

/** Every bad input: a one-line error naming the file or field, a non-zero exit code, and nothing written. */
describe('bad input', () => {
  it('a task.toml field of the wrong type', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'bad'), '--task', 'wrong-field', '--harness', 'oracle', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad/wrong-field/task.toml: agent.timeout_sec: Invalid input: expected number, received string (e.g. timeout_sec = 600.0)');
    expect(readdirSync(out)).toEqual([]);
  });

  it('tasks list names the broken task and exits 1', async () => {
    const r = await runCli(['tasks', 'list', path.join(FIXTURES, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/wrong-field .*INVALID/);
    expect(r.stdout).toContain('agent.timeout_sec');
  });

  it('an unknown harness', async () => {
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'no-such-harness', '--out', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown harness "no-such-harness".*known: oracle, nop/);
  });

  it('a harness file with a wrong field', async () => {
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', path.join(FIXTURES, 'harnesses/bad-field.yaml'), '--out', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/harnesses\/bad-field\.yaml: timeout: unknown field/);
  });

  it('no Docker engine', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks'), '--harness', 'nop', '--out', out, '--run-id', 'nodocker'], { DOCKER_HOST: 'unix:///tmp/hbench-no-such-docker.sock' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hbench: no Docker engine is reachable \(unix:\/\/\/tmp\/hbench-no-such-docker\.sock.*start Docker or set DOCKER_HOST/);
  });

  it('bad numbers and missing harness are usage errors', async () => {
    expect((await runCli(['run', '--harness', 'nop', '--trials', '0'])).code).toBe(2);
    const r = await runCli(['run', '--tasks', path.join(FIXTURES, 'tasks')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name at least one harness');
  });

  it('bad --shard, --durations and merge/status input: one line, exit 2, nothing written', async () => {
    const out = await tempDir();
    const tasks = path.join(FIXTURES, 'tasks');
    const cases: Array<[string[], RegExp]> = [
      [['run', '--tasks', tasks, '--harness', 'nop', '--out', out, '--shard', '3/2', '--run-id', 'x'], /--shard 3\/2: give I\/N with 1 ≤ I ≤ N/],
      [['run', '--tasks', tasks, '--harness', 'nop', '--out', out, '--shard', '1/2'], /--shard needs --run-id: every shard of a run must carry the same run id/],
      [['run', '--tasks', tasks, '--harness', 'nop', '--out', out, '--durations', out], /--durations balances shards: give it with --shard I\/N/],
      [['run', '--tasks', tasks, '--harness', 'nop', '--out', out, '--shard', '1/2', '--run-id', 'x', '--durations', path.join(out, 'none')], /none: no run\.json here; --durations takes an earlier results folder/],
      [['run', '--resume', path.join(out, 'none'), '--shard', '1/2'], /--resume takes the shard from the folder it resumes; drop --shard/],
      [['merge', path.join(out, 'none'), '--out', path.join(out, 'm')], /none: no run\.json here; merge takes the shard folders/],
      [['merge', path.join(FIXTURES, 'results', 'sim-run'), '--out', path.join(out, 'm')], /sim-run\/run\.json: no "shard" field: merge takes folders written by hbench run --shard I\/N/],
      [['status', path.join(out, 'none')], /none: no such folder; status takes results folders/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(readdirSync(out)).toEqual([]);
    }
  });
});

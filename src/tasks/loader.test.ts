import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../test-support/cli.js';
import { loadSuite, loadTask } from './loader.js';

async function harborTask(toml: string, files: Record<string, string> = {}): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'hbench-task-')), 'my-task');
  const all: Record<string, string> = {
    'task.toml': toml,
    'instruction.md': 'Do the thing.\n',
    'environment/Dockerfile': 'FROM debian:bookworm-slim\n',
    'tests/test.sh': 'echo 1 > /logs/verifier/reward.txt\n',
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    if (content !== '<none>') await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

describe('Harbor task loader', () => {
  it('resolves every field with Harbor defaults', async () => {
    const task = await loadTask(await harborTask(''));
    expect(task).toMatchObject({ id: 'my-task', format: 'harbor', multiStep: false, rewardStrategy: 'mean' });
    expect(task.environment).toMatchObject({ cpus: 1, memoryMb: 2048, buildTimeoutSec: 600, workdir: null, network: 'none' });
    expect(task.steps[0]).toMatchObject({ name: 'main', agentTimeoutSec: 600, instruction: 'Do the thing.\n', solution: null });
    expect(task.steps[0]!.verifier).toMatchObject({ timeoutSec: 600, command: ['bash', '/tests/test.sh'], rewardSource: 'reward-file' });
  });

  it('honours timeouts, resources, workdir, env tables and the network setting', async () => {
    const task = await loadTask(
      await harborTask(
        `[agent]\ntimeout_sec = 30.0\n[verifier]\ntimeout_sec = 12\nenv = { MODE = "\${HB_TEST_MODE:-strict}", HOME_DIR = "\${HB_TEST_HOME}" }\n` +
          `[environment]\ncpus = 2\nmemory = "1.5G"\nbuild_timeout_sec = 90\nworkdir = "/srv"\nallow_internet = true\nenv = { A = "b" }\n`,
      ).then((d) => (process.env.HB_TEST_HOME = '/home/x', d)),
    );
    expect(task.environment).toMatchObject({ cpus: 2, memoryMb: 1536, buildTimeoutSec: 90, workdir: '/srv', network: 'bridge', env: { A: 'b' } });
    expect(task.steps[0]!.agentTimeoutSec).toBe(30);
    expect(task.steps[0]!.verifier).toMatchObject({ timeoutSec: 12, env: { MODE: 'strict', HOME_DIR: '/home/x' }, user: null });
    expect((await loadTask(await harborTask('[verifier]\nuser = 1000\n'))).steps[0]!.verifier.user).toBe('1000');
  });

  it('network_mode "no-network" wins over allow_internet', async () => {
    const task = await loadTask(await harborTask('[environment]\nallow_internet = true\nnetwork_mode = "no-network"\n'));
    expect(task.environment.network).toBe('none');
  });

  it('network_mode "allowlist" carries its allowed_hosts per phase; without hosts it denies all', async () => {
    const task = await loadTask(
      await harborTask('[environment]\nnetwork_mode = "allowlist"\nallowed_hosts = ["PyPI.org.", "*.example.com"]\n[agent]\nnetwork_mode = "allowlist"\nallowed_hosts = ["api.test"]\n[verifier]\nnetwork_mode = "no-network"\n'),
    );
    expect(task.environment.network).toEqual({ mode: 'allowlist', hosts: ['pypi.org', '*.example.com'] });
    expect(task.steps[0]).toMatchObject({ agentNetwork: { mode: 'allowlist', hosts: ['api.test'] }, verifierNetwork: 'none' });
    // An environment with no network of its own starts on the egress network with nothing allowed until a phase says.
    const offline = await loadTask(await harborTask('[agent]\nnetwork_mode = "allowlist"\n[verifier]\nnetwork_mode = "public"\n'));
    expect(offline.environment.network).toEqual({ mode: 'allowlist', hosts: [] });
    expect(offline.steps[0]).toMatchObject({ agentNetwork: { mode: 'allowlist', hosts: [] }, verifierNetwork: 'bridge' });
  });

  it('a step inherits the task-level phase policy unless it sets its own', async () => {
    const toml =
      '[agent]\nnetwork_mode = "allowlist"\nallowed_hosts = ["a.test"]\n' +
      '[[steps]]\nname = "one"\n[[steps]]\nname = "two"\n[steps.agent]\nnetwork_mode = "allowlist"\nallowed_hosts = ["b.test"]\n';
    const step = (n: string) => ({ [`steps/${n}/instruction.md`]: 'x\n', [`steps/${n}/tests/test.sh`]: 'true\n' });
    const task = await loadTask(await harborTask(toml, { ...step('one'), ...step('two') }));
    expect(task.steps.map((s) => s.agentNetwork)).toEqual([{ mode: 'allowlist', hosts: ['a.test'] }, { mode: 'allowlist', hosts: ['b.test'] }]);
    expect(task.steps.map((s) => s.verifierNetwork)).toEqual(['none', 'none']);
  });

  it.each([
    ['[agent]\nnetwork_mode = "allowlist"\nallowed_hosts = ["https://pypi.org"]\n', /agent\.allowed_hosts\.0: expected a host name/],
    ['[environment]\nallowed_hosts = ["pypi.org:443"]\n', /environment\.allowed_hosts\.0: expected a host name/],
    ['[agent]\ntimeout_sec = "slow"\n', /task\.toml: agent\.timeout_sec: .*expected number.*\(e\.g\. timeout_sec = 600\.0\)/],
    ['[environment]\nmemory = "lots"\n', /environment\.memory: expected a size like "2G"/],
    ['[environment]\nworkdir = "app"\n', /environment\.workdir: expected an absolute path/],
    ['multi_step_reward_strategy = "max"\n[[steps]]\nname = "a"\n', /multi_step_reward_strategy: .*one of "mean", "final"/],
    ['[agent\ntimeout_sec = 1\n', /task\.toml: line 1: not valid TOML: .*\(fix the TOML syntax on line 1; see https:\/\/toml\.io\)/],
    ['[verifier]\nenv = { K = "${HB_SURELY_UNSET_VAR}" }\n', /verifier\.env\.K: needs the host variable HB_SURELY_UNSET_VAR/],
  ])('rejects %j with the file and field', async (toml, message) => {
    await expect(loadTask(await harborTask(toml))).rejects.toThrow(message);
  });

  it('names missing files and how to fix them', async () => {
    await expect(loadTask(await harborTask('', { 'environment/Dockerfile': '<none>' }))).rejects.toThrow(/environment\/Dockerfile: missing \(add environment\/Dockerfile, or set \[environment\]\.docker_image/);
    await expect(loadTask(await harborTask('', { 'tests/test.sh': '<none>', 'tests/x.py': '' }))).rejects.toThrow(/tests\/test\.sh: missing: the task has no verifier/);
    await expect(loadTask(await harborTask('', { 'instruction.md': '  \n' }))).rejects.toThrow(/instruction\.md: is empty/);
  });

  it('uses a prebuilt docker_image without a Dockerfile', async () => {
    const task = await loadTask(await harborTask('[environment]\ndocker_image = "python:3.12-slim"\n', { 'environment/Dockerfile': '<none>' }));
    expect(task.environment.source).toEqual({ kind: 'image', image: 'python:3.12-slim' });
  });

  it('reads multi-step tasks: per-step instruction, tests layered over task tests, timeouts, min_reward', async () => {
    const task = await loadTask(path.join(FIXTURES, 'tasks', 'multi-count'));
    expect(task.multiStep).toBe(true);
    expect(task.steps.map((s) => [s.name, s.agentTimeoutSec, s.minReward])).toEqual([
      ['01-create', 30, 1],
      ['02-append', 20, null],
      ['03-count', 30, null],
    ]);
    expect(task.steps[1]!.verifier.testsDirs.map((d) => path.relative(task.dir, d))).toEqual(['tests', 'steps/02-append/tests']);
    expect(task.steps[1]!.workdirFiles).toMatch(/steps\/02-append\/workdir$/);
    expect(task.steps[0]!.solution).toMatchObject({ kind: 'script', script: 'solve.sh' });
  });

  it('rejects a step without a folder', async () => {
    await expect(loadTask(await harborTask('[[steps]]\nname = "ghost"\n'))).rejects.toThrow(/steps\.0\.name: no folder steps\/ghost\//);
  });

  it('changes the content hash when any file changes', async () => {
    const dir = await harborTask('');
    const a = await loadTask(dir);
    await writeFile(path.join(dir, 'tests', 'test.sh'), 'echo 0 > /logs/verifier/reward.txt\n');
    const b = await loadTask(dir);
    expect(b.contentHash).not.toBe(a.contentHash);
    expect(b.environment.contentHash).toBe(a.environment.contentHash);
  });
});

describe('Terminal-Bench 1 task loader', () => {
  it('reads task.yaml, run-tests.sh, tests/ and solution.yaml', async () => {
    const task = await loadTask(path.join(FIXTURES, 'tb1', 'tb1-hello'));
    expect(task.format).toBe('tb1');
    const step = task.steps[0]!;
    expect(step.agentTimeoutSec).toBe(60);
    expect(step.verifier).toMatchObject({ timeoutSec: 30, env: { TEST_DIR: '/tests' }, command: ['bash', '/tests/run-tests.sh'], rewardSource: 'pytest-summary' });
    expect(step.solution).toEqual({ kind: 'commands', commands: ['mkdir -p /app', 'echo "hi there" > /app/greeting.txt'], env: {} });
  });
});

describe('loadSuite', () => {
  it('collects failures instead of throwing, and filters by glob', async () => {
    const suite = await loadSuite(path.join(FIXTURES, 'bad'));
    expect(suite.tasks.map((t) => t.id)).toEqual(['build-fails', 'no-reward', 'nop-passes']);
    expect(suite.failures.map((f) => f.id)).toEqual(['wrong-field']);
    const only = await loadSuite(path.join(FIXTURES, 'bad'), { include: ['no-*'], exclude: ['nop-*'] });
    expect(only.tasks.map((t) => t.id)).toEqual(['no-reward']);
  });
});

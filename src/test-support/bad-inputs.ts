/**
 * Malformed input, systematically: each row writes one broken input (a task file, a harness file, a flag, a price
 * file, a results folder) into a fresh folder and names the command that reads it. Every row must end the same way:
 * exit 2, exactly one line on stderr naming the file or flag, the field and the fix, and nothing written or changed.
 * The e2e test (test/e2e/bad-input-table.test.ts) and the chaos figure (bench/chaos/bad-input.ts) run this one table.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, open, readdir, readFile, readlink, lstat, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult, TrialStatus } from '../records/trial-result.js';
import { fixtureRun } from './fixture-runs.js';

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with these arguments and extra environment (a value of undefined removes the variable). */
export type Invoke = (args: string[], env: Record<string, string | undefined>) => Promise<CliOutcome>;

export interface BadInput {
  /** What is broken, e.g. "task.toml: TOML syntax error". */
  name: string;
  /** What the input is: task, harness, flag, price, results. */
  area: 'task' | 'harness' | 'flag' | 'price' | 'results';
  /** Writes the broken input under `dir` (a fresh, empty folder) and returns the CLI arguments that read it. */
  setup(dir: string): Promise<string[]>;
  env?: Record<string, string | undefined>;
  /** The one line must match: the file or flag, the field, the fix. */
  message: RegExp;
}

// ---------------------------------------------------------------------------------------------------------------
// Small fixtures, written from code so the table needs nothing but itself.

const HELLO_TOML = `schema_version = "1.1"
[task]
name = "bad-input/hello"
[agent]
timeout_sec = 30.0
[verifier]
timeout_sec = 30.0
[environment]
cpus = 1
memory_mb = 256
workdir = "/app"
`;

const TB1_YAML = `instruction: |
  Create /app/greeting.txt containing "hi there".
max_agent_timeout_sec: 60
max_test_timeout_sec: 30
parser_name: pytest
`;

async function write(file: string, content: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** A valid Harbor task `suite/hello`; `toml` replaces task.toml, `files` adds (string) or removes (null) files. */
async function harborTask(dir: string, o: { toml?: string; files?: Record<string, string | null> } = {}): Promise<string> {
  const task = path.join(dir, 'suite', 'hello');
  const files: Record<string, string | null> = {
    'task.toml': o.toml ?? HELLO_TOML,
    'instruction.md': 'Write the word `hello` into /app/hello.txt.\n',
    'environment/Dockerfile': 'FROM debian:bookworm-slim\nWORKDIR /app\n',
    'tests/test.sh': '#!/bin/bash\necho 1 > /logs/verifier/reward.txt\n',
    'solution/solve.sh': '#!/bin/bash\necho hello > /app/hello.txt\n',
    ...o.files,
  };
  for (const [rel, content] of Object.entries(files)) if (content !== null) await write(path.join(task, rel), content);
  return task;
}

/** A valid Terminal-Bench 1 task `suite/tb1-hello`. */
async function tb1Task(dir: string, o: { yaml?: string; files?: Record<string, string | null> } = {}): Promise<string> {
  const task = path.join(dir, 'suite', 'tb1-hello');
  const files: Record<string, string | null> = {
    'task.yaml': o.yaml ?? TB1_YAML,
    Dockerfile: 'FROM debian:bookworm-slim\nWORKDIR /app\n',
    'run-tests.sh': '#!/bin/bash\necho "1 passed in 0.01s"\n',
    'tests/expected.txt': 'hi there\n',
    ...o.files,
  };
  for (const [rel, content] of Object.entries(files)) if (content !== null) await write(path.join(task, rel), content);
  return task;
}

/** `hbench run` over `dir/suite` into `dir/results`, harness files from `dir/harnesses`. */
function run(dir: string, ...extra: string[]): string[] {
  const harness = extra.includes('--harness') ? [] : ['--harness', 'oracle'];
  return ['run', '--tasks', path.join(dir, 'suite'), ...harness, '--out', path.join(dir, 'results'), '--harness-dir', path.join(dir, 'harnesses'), '--run-id', 'bad', ...extra];
}

/** A finished run folder `dir/runs/<runId>`; `edit` changes the record or trials before they are written. */
async function resultsRun(
  dir: string,
  runId: string,
  o: { tasks?: string[]; harnesses?: string[]; model?: string; edit?: (r: RunRecord, t: TrialResult[]) => void; runJson?: (text: string) => string; trialsJsonl?: (text: string) => string } = {},
): Promise<string> {
  const tasks = o.tasks ?? ['alpha', 'bravo', 'charlie'];
  const harnesses = o.harnesses ?? ['baseline'];
  const statuses = (i: number): TrialStatus[] => (i % 2 ? ['passed', 'failed'] : ['passed', 'passed']);
  const outcomes = Object.fromEntries(harnesses.map((h) => [h, Object.fromEntries(tasks.map((t, i) => [t, statuses(i)]))]));
  const fixture = fixtureRun({ runId, tasks: Object.fromEntries(tasks.map((t) => [t, `hash-${t}`])), outcomes, model: { id: o.model ?? 'sim', simulated: true } });
  o.edit?.(fixture.record, fixture.trials);
  const runDir = path.join(dir, 'runs', runId);
  const runJson = `${JSON.stringify(fixture.record, null, 2)}\n`;
  const trials = fixture.trials.map((t) => `${JSON.stringify(t)}\n`).join('');
  await write(path.join(runDir, 'run.json'), o.runJson ? o.runJson(runJson) : runJson);
  await write(path.join(runDir, 'trials.jsonl'), o.trialsJsonl ? o.trialsJsonl(trials) : trials);
  return runDir;
}

/** The shard folders hbench merge takes: a run with a `shard` field (shard 1 of 2, holding task alpha). */
async function shardRun(dir: string, editTrials?: (t: TrialResult[]) => void): Promise<string> {
  return resultsRun(dir, 'sharded', {
    tasks: ['alpha'],
    edit: (r, t) => {
      r.shard = { index: 1, total: 2, by: 'task', balance: { by: 'count' }, groups: ['alpha'], digests: { suite: 's', harnesses: 'h', model: 'm', plan: 'p', tool: 't' }, host: 'here' };
      editTrials?.(t);
    },
  });
}

/** Middle line of a JSONL text replaced by `bad`. */
function breakMiddleLine(text: string, bad: string): string {
  const lines = text.split('\n');
  lines[Math.floor((lines.length - 1) / 2)] = bad;
  return lines.join('\n');
}

const cutShort = (text: string) => text.slice(0, Math.floor(text.length / 2));

/** A harness file `dir/harnesses/<name>.yaml`. */
async function harnessFile(dir: string, name: string, yaml: string): Promise<string> {
  return write(path.join(dir, 'harnesses', `${name}.yaml`), yaml);
}

/** A file of `size` bytes that takes no space (a sparse file): what reading it whole would cost is the point. */
async function hugeFile(file: string, size: number, head = ''): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'w');
  await fh.write(head);
  await fh.truncate(size);
  await fh.close();
}

const openaiRun = (dir: string, ...extra: string[]) => run(dir, '--model', 'openai:gpt-4.1-mini', '--base-url', 'http://127.0.0.1:9/v1', ...extra);

// ---------------------------------------------------------------------------------------------------------------
// The table. Each message names the file (or flag) and the field, and says how to fix it.

const T = (field: string) => field.replace(/[.[\]]/g, (c) => `\\${c}`);
const taskToml = (field: string, fix: string) => new RegExp(`suite/hello/task\\.toml: ${T(field)}: .*${fix}`);

export const BAD_INPUTS: BadInput[] = [
  // --- task files -------------------------------------------------------------------------------------------------
  {
    name: 'task.toml: TOML syntax error',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: `${HELLO_TOML}[agent\ntimeout_sec = 1\n` }), run(d)),
    message: /suite\/hello\/task\.toml: line 12: not valid TOML: .*fix the TOML syntax on line 12/,
  },
  {
    name: 'task.toml: a timeout given as a string',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('timeout_sec = 30.0', 'timeout_sec = "30"') }), run(d)),
    message: taskToml('agent.timeout_sec', 'expected number.*e\\.g\\. timeout_sec = 600\\.0'),
  },
  {
    name: 'task.toml: a zero verifier timeout',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('[verifier]\ntimeout_sec = 30.0', '[verifier]\ntimeout_sec = 0') }), run(d)),
    message: taskToml('verifier.timeout_sec', '>0.*e\\.g\\. timeout_sec = 120\\.0'),
  },
  {
    name: 'task.toml: a negative agent timeout',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('timeout_sec = 30.0', 'timeout_sec = -5') }), run(d)),
    message: taskToml('agent.timeout_sec', '>0.*e\\.g\\. timeout_sec = 600\\.0'),
  },
  {
    name: 'task.toml: cpus of the wrong type',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('cpus = 1', 'cpus = "two"') }), run(d)),
    message: taskToml('environment.cpus', 'expected number.*e\\.g\\. cpus = 1'),
  },
  {
    name: 'task.toml: memory_mb not a whole number',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('memory_mb = 256', 'memory_mb = 1.5') }), run(d)),
    message: taskToml('environment.memory_mb', 'expected int.*e\\.g\\. memory_mb = 2048'),
  },
  {
    name: 'task.toml: memory not a size',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('memory_mb = 256', 'memory = "lots"') }), run(d)),
    message: taskToml('environment.memory', 'expected a size like "2G".*e\\.g\\. memory = "2G"'),
  },
  {
    name: 'task.toml: unknown network_mode',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('workdir = "/app"', 'workdir = "/app"\nnetwork_mode = "internet"') }), run(d)),
    message: taskToml('environment.network_mode', 'one of "public", "no-network", "allowlist"'),
  },
  {
    name: 'task.toml: unknown verifier environment_mode',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('[verifier]\n', '[verifier]\nenvironment_mode = "both"\n') }), run(d)),
    message: taskToml('verifier.environment_mode', '"shared".*"separate"'),
  },
  {
    name: 'task.toml: unknown multi_step_reward_strategy',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: `multi_step_reward_strategy = "max"\n${HELLO_TOML}` }), run(d)),
    message: taskToml('multi_step_reward_strategy', 'one of "mean", "final"'),
  },
  {
    name: 'task.toml: a relative workdir',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: HELLO_TOML.replace('workdir = "/app"', 'workdir = "app"') }), run(d)),
    message: taskToml('environment.workdir', 'expected an absolute path in the container'),
  },
  {
    name: 'task.toml: a [[steps]] entry with no folder',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: `${HELLO_TOML}[[steps]]\nname = "first"\n` }), run(d)),
    message: /suite\/hello\/task\.toml: steps\.0\.name: no folder steps\/first\/ .*create .*steps\/first\/instruction\.md/,
  },
  {
    name: 'task.toml: a host variable that is not set',
    area: 'task',
    setup: async (d) => (await harborTask(d, { toml: `${HELLO_TOML}[environment.env]\nTOKEN = "\${HBENCH_BAD_INPUT_UNSET}"\n` }), run(d)),
    env: { HBENCH_BAD_INPUT_UNSET: undefined },
    message: /suite\/hello\/task\.toml: environment\.env\.TOKEN: needs the host variable HBENCH_BAD_INPUT_UNSET.*export HBENCH_BAD_INPUT_UNSET or give a default/,
  },
  {
    name: 'instruction.md missing',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'instruction.md': null } }), run(d)),
    message: /suite\/hello\/instruction\.md: missing \(write the instruction the agent is given into this file\)/,
  },
  {
    name: 'instruction.md empty',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'instruction.md': ' \n\n' } }), run(d)),
    message: /suite\/hello\/instruction\.md: is empty \(write the instruction/,
  },
  {
    name: 'instruction.md is a folder',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d, { files: { 'instruction.md': null } });
      await mkdir(path.join(task, 'instruction.md'));
      return run(d);
    },
    message: /suite\/hello\/instruction\.md: is a folder, not a file \(replace the folder with the file\)/,
  },
  {
    name: 'instruction.md is a dangling symbolic link',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d, { files: { 'instruction.md': null } });
      await symlink('gone.md', path.join(task, 'instruction.md'));
      return run(d);
    },
    message: /suite\/hello\/instruction\.md: is a symbolic link to gone\.md, which does not exist \(point the link at an existing file/,
  },
  {
    name: 'instruction.md is a FIFO (reading it would block)',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d, { files: { 'instruction.md': null } });
      execFileSync('mkfifo', [path.join(task, 'instruction.md')]);
      return run(d);
    },
    message: /suite\/hello\/instruction\.md: is not a regular file \(a FIFO.*\(replace it with a regular file\)/,
  },
  {
    name: 'instruction.md of 2 GiB',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d, { files: { 'instruction.md': null } });
      await hugeFile(path.join(task, 'instruction.md'), 2 * 1024 ** 3, 'Write hello.\n');
      return run(d);
    },
    message: /suite\/hello\/instruction\.md: is 2\.0 GiB, over the 1 MiB limit for this file \(keep it under 1 MiB\)/,
  },
  {
    name: 'task.toml of 100 MiB',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d);
      await hugeFile(path.join(task, 'task.toml'), 100 * 1024 ** 2, HELLO_TOML);
      return run(d);
    },
    message: /suite\/hello\/task\.toml: is 100 MiB, over the 1 MiB limit for this file \(keep it under 1 MiB\)/,
  },
  {
    name: 'task.toml is a loop of symbolic links',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d, { files: { 'task.toml': null } });
      await symlink('task.toml', path.join(task, 'task.toml'));
      return run(d);
    },
    message: /suite\/hello\/task\.toml: is a loop of symbolic links \(replace the link with the file itself\)/,
  },
  {
    name: 'a symbolic link loop inside the task folder',
    area: 'task',
    setup: async (d) => {
      const task = await harborTask(d);
      await symlink('b', path.join(task, 'environment', 'a'));
      await symlink('a', path.join(task, 'environment', 'b'));
      return run(d);
    },
    message: /suite\/hello\/environment\/a: is a loop of symbolic links \(replace the link with the file itself, or remove it from the task folder\)/,
  },
  {
    name: 'tests/test.sh missing',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'tests/test.sh': null } }), run(d)),
    message: /suite\/hello\/tests\/test\.sh: missing: the task has no verifier \(add tests\/test\.sh/,
  },
  {
    name: 'no environment/Dockerfile and no docker_image',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'environment/Dockerfile': null, 'environment/.keep': '' } }), run(d)),
    message: /suite\/hello\/environment\/Dockerfile: missing \(add environment\/Dockerfile, or set \[environment\]\.docker_image/,
  },
  {
    name: 'docker-compose.yaml: a service with a bad name',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'environment/docker-compose.yaml': 'services:\n  main:\n    build: .\n  "bad name!":\n    image: redis\n' } }), run(d)),
    message: /suite\/hello\/environment\/docker-compose\.yaml: services\.bad name!: expected a service name \(letters, digits, \. _ -\)/,
  },
  {
    name: 'docker-compose.yaml: depends_on a service that does not exist',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'environment/docker-compose.yaml': 'services:\n  main:\n    build: .\n    depends_on: [db]\n' } }), run(d)),
    message: /suite\/hello\/environment\/docker-compose\.yaml: services\.main\.depends_on.*db/,
  },
  {
    name: 'docker-compose.yaml: YAML syntax error',
    area: 'task',
    setup: async (d) => (await harborTask(d, { files: { 'environment/docker-compose.yaml': 'services:\n  main:\n    build: [.\n' } }), run(d)),
    message: /suite\/hello\/environment\/docker-compose\.yaml: line \d+: not valid YAML: .*fix the YAML syntax on line \d+/,
  },
  {
    name: 'task.yaml: YAML syntax error',
    area: 'task',
    setup: async (d) => (await tb1Task(d, { yaml: 'instruction: "unterminated\nmax_agent_timeout_sec: 60\n' }), run(d)),
    message: /suite\/tb1-hello\/task\.yaml: line \d+: not valid YAML: .*fix the YAML syntax on line \d+/,
  },
  {
    name: 'task.yaml: a timeout of the wrong type',
    area: 'task',
    setup: async (d) => (await tb1Task(d, { yaml: TB1_YAML.replace('max_agent_timeout_sec: 60', 'max_agent_timeout_sec: long') }), run(d)),
    message: /suite\/tb1-hello\/task\.yaml: max_agent_timeout_sec: .*expected number.*e\.g\. max_agent_timeout_sec: 360/,
  },
  {
    name: 'task.yaml: no instruction',
    area: 'task',
    setup: async (d) => (await tb1Task(d, { yaml: 'max_agent_timeout_sec: 60\n' }), run(d)),
    message: /suite\/tb1-hello\/task\.yaml: instruction: missing \(add `instruction: \|`/,
  },
  {
    name: 'task.yaml: an unsupported parser',
    area: 'task',
    setup: async (d) => (await tb1Task(d, { yaml: TB1_YAML.replace('parser_name: pytest', 'parser_name: swebench') }), run(d)),
    message: /suite\/tb1-hello\/task\.yaml: parser_name: "swebench" is not supported \(only the pytest parser/,
  },
  {
    name: 'task.yaml task without run-tests.sh',
    area: 'task',
    setup: async (d) => (await tb1Task(d, { files: { 'run-tests.sh': null } }), run(d)),
    message: /suite\/tb1-hello\/run-tests\.sh: missing \(add run-tests\.sh/,
  },
  {
    name: 'two broken tasks: still one line',
    area: 'task',
    setup: async (d) => {
      await harborTask(d, { files: { 'instruction.md': null } });
      await tb1Task(d, { files: { Dockerfile: null } });
      return run(d);
    },
    message: /suite\/hello\/instruction\.md: missing .*; 1 more task\(s\) cannot be read \(hbench tasks list .*suite shows each\), or leave them out with --exclude/,
  },
  {
    name: '--tasks folder that does not exist',
    area: 'task',
    setup: async (d) => run(d),
    message: /suite: no such folder \(pass --tasks with a folder of task folders\)/,
  },
  {
    name: '--tasks folder with no task in it',
    area: 'task',
    setup: async (d) => (await write(path.join(d, 'suite', 'README.md'), 'no tasks here\n'), run(d)),
    message: /suite: no tasks found \(a task folder holds task\.toml or task\.yaml\)/,
  },

  // --- harness files ----------------------------------------------------------------------------------------------
  {
    name: 'harness YAML syntax error',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'broken', 'kind: command\nrun: [echo\n'), run(d, '--harness', path.join(d, 'harnesses', 'broken.yaml'))),
    message: /harnesses\/broken\.yaml: line \d+: not valid YAML: .*\(fix the YAML syntax on line \d+\)/,
  },
  {
    name: 'harness field of the wrong type',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'typed', 'kind: command\nrun: 42\n'), run(d, '--harness', 'typed')),
    message: /harnesses\/typed\.yaml: run: .*expected string/,
  },
  {
    name: 'harness with an unknown field',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'extra', 'kind: command\nrun: echo hi\ntimeout: 30\n'), run(d, '--harness', 'extra')),
    message: /harnesses\/extra\.yaml: timeout: unknown field; remove it or fix its spelling/,
  },
  {
    name: 'harness of an unknown kind',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'robot', 'kind: robot\n'), run(d, '--harness', 'robot')),
    message: /harnesses\/robot\.yaml: kind: expected one of oracle, nop, command, agent/,
  },
  {
    name: 'agent harness: maxTurns of the wrong type',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'agent', 'kind: agent\nloop:\n  maxTurns: many\n'), run(d, '--harness', 'agent', '--model', 'sim')),
    message: /harnesses\/agent\.yaml: loop\.maxTurns: .*expected number/,
  },
  {
    name: 'agent harness extends a file that does not exist',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'child', 'kind: agent\nextends: parent\n'), run(d, '--harness', 'child', '--model', 'sim')),
    message: /harnesses\/child\.yaml: extends: no harness file "parent" next to it \(expected parent\.yaml\)/,
  },
  {
    name: 'harness name that does not exist',
    area: 'harness',
    setup: async (d) => (await harborTask(d), run(d, '--harness', 'no-such-harness')),
    message: /unknown harness "no-such-harness": not built in and no .*harnesses\/no-such-harness\.yaml \(known: oracle, nop/,
  },
  {
    name: 'harness file that is a folder',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await mkdir(path.join(d, 'harnesses', 'dir.yaml'), { recursive: true }), run(d, '--harness', path.join(d, 'harnesses', 'dir.yaml'))),
    message: /harnesses\/dir\.yaml: is a folder, not a file \(replace the folder with the file\)/,
  },
  {
    name: 'harness file of 100 MiB',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await hugeFile(path.join(d, 'harnesses', 'big.yaml'), 100 * 1024 ** 2, 'kind: nop\n'), run(d, '--harness', 'big')),
    message: /harnesses\/big\.yaml: is 100 MiB, over the 1 MiB limit for this file \(keep it under 1 MiB\)/,
  },
  {
    name: 'two harnesses with the same name',
    area: 'harness',
    setup: async (d) => (await harborTask(d), await harnessFile(d, 'twin', 'kind: nop\nname: oracle\n'), run(d, '--harness', 'oracle', '--harness', 'twin')),
    message: /harness "oracle" is named twice; give each harness a distinct name/,
  },

  // --- flags --------------------------------------------------------------------------------------------------------
  {
    name: 'run without --harness',
    area: 'flag',
    setup: async (d) => (await harborTask(d), run(d, '--harness').filter((a) => a !== '--harness')),
    message: /name at least one harness: --harness oracle --harness nop/,
  },
  { name: '--trials 0', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--trials', '0')), message: /--trials must be a whole number ≥ 1 \(got 0\)/ },
  { name: '--trials abc', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--trials', 'abc')), message: /--trials must be a whole number ≥ 1 \(got NaN\)/ },
  { name: '--concurrency -1', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--concurrency', '-1')), message: /--concurrency must be a whole number ≥ 1 \(got -1\)/ },
  { name: '--reporter that does not exist', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--reporter', 'fancy')), message: /--reporter fancy: unknown reporter \(known: progress, summary, html/ },
  { name: '--shard 3/2', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--shard', '3/2')), message: /--shard 3\/2: give I\/N with 1 ≤ I ≤ N/ },
  { name: '--shard without --run-id', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--shard', '1/2').filter((a, i, all) => a !== '--run-id' && all[i - 1] !== '--run-id')), message: /--shard needs --run-id: every shard of a run must carry the same run id/ },
  { name: '--durations without --shard', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--durations', await resultsRun(d, 'a'))), message: /--durations balances shards: give it with --shard I\/N/ },
  { name: '--resume with --shard', area: 'flag', setup: async (d) => ['run', '--resume', await resultsRun(d, 'a'), '--shard', '1/2'], message: /--resume takes the shard from the folder it resumes; drop --shard/ },
  {
    name: '--resume with --harness',
    area: 'flag',
    setup: async (d) => ['run', '--resume', await resultsRun(d, 'r1'), '--harness', 'nop'],
    message: /--resume takes tasks, harnesses, filters and trials from the run it resumes; drop --harness/,
  },
  {
    name: '--model with an unknown provider',
    area: 'flag',
    setup: async (d) => (await harborTask(d), run(d, '--model', 'acme:big-1')),
    message: /--model acme:big-1: unknown provider "acme" \(known: .*e\.g\. openai:gpt-4\.1-mini/,
  },
  {
    name: '--model openai without an API key',
    area: 'flag',
    setup: async (d) => (await harborTask(d), run(d, '--model', 'openai:gpt-4.1-mini')),
    env: { OPENAI_API_KEY: undefined },
    message: /--model openai:…: no API key: set OPENAI_API_KEY in the environment/,
  },
  { name: '--temperature 7', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--model', 'sim', '--temperature', '7')), message: /--temperature must be between 0 and 2 \(got 7\)/ },
  { name: '--max-tokens 0', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--model', 'sim', '--max-tokens', '0')), message: /--max-tokens must be a whole number ≥ 1 \(got 0\)/ },
  { name: '--sim-mistake-rate 1.5', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--model', 'sim', '--sim-mistake-rate', '1.5')), message: /--sim-mistake-rate is a chance between 0 and 1 \(got 1\.5\)/ },
  { name: '--verifier both', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--verifier', 'both')), message: /Invalid values: Argument: verifier, Given: "both", Choices: "shared", "separate" \(see hbench --help\)/ },
  { name: 'an unknown flag (--trails)', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--trails', '3')), message: /Unknown arguments?: trails \(see hbench --help\)/ },
  { name: '--artifact with a relative path', area: 'flag', setup: async (d) => (await harborTask(d), run(d, '--artifact', 'out.txt')), message: /--artifact out\.txt: give an absolute path in the container, e\.g\. --artifact \/app\/output/ },
  { name: '--run-id with a slash', area: 'flag', setup: async (d) => (await harborTask(d), run(d).map((a) => (a === 'bad' ? '../escape' : a))), message: /--run-id "\.\.\/escape": use letters, digits, "\.", "_" and "-"/ },

  // --- price files ------------------------------------------------------------------------------------------------
  {
    name: 'price file: YAML syntax error',
    area: 'price',
    setup: async (d) => (await harborTask(d), openaiRun(d, '--price-file', await write(path.join(d, 'prices.yaml'), 'gpt-4.1-mini: { input: 1, output: [2\n'))),
    message: /prices\.yaml: line \d+: not valid YAML or JSON: .*\(fix the syntax; each model: \{ input, output, cached \}/,
  },
  {
    name: 'price file: a negative price',
    area: 'price',
    setup: async (d) => (await harborTask(d), openaiRun(d, '--price-file', await write(path.join(d, 'prices.yaml'), 'gpt-4.1-mini: { input: -1, output: 2 }\n'))),
    message: /prices\.yaml: gpt-4\.1-mini\.input: .*>=0 \(each model: \{ input, output, cached \} in USD per million tokens/,
  },
  {
    name: 'price file: a price of the wrong type',
    area: 'price',
    setup: async (d) => (await harborTask(d), openaiRun(d, '--price-file', await write(path.join(d, 'prices.yaml'), 'gpt-4.1-mini: { input: cheap, output: 2 }\n'))),
    message: /prices\.yaml: gpt-4\.1-mini\.input: .*expected number.*\(each model: \{ input, output, cached \}/,
  },
  {
    name: 'price file: no price for the run\'s model',
    area: 'price',
    setup: async (d) => (await harborTask(d), run(d, '--model', 'openai:local-llama', '--base-url', 'http://127.0.0.1:9/v1', '--price-file', await write(path.join(d, 'prices.yaml'), 'other-model: { input: 1, output: 2 }\n'))),
    message: /prices\.yaml: local-llama: no price for the run's model \(add local-llama: \{ input, output, cached \}/,
  },
  {
    name: 'price file that does not exist',
    area: 'price',
    setup: async (d) => (await harborTask(d), openaiRun(d, '--price-file', path.join(d, 'nope.yaml'))),
    message: /--price-file .*nope\.yaml: missing \(give the path of a YAML or JSON price table\)/,
  },
  {
    name: 'price file that is a list',
    area: 'price',
    setup: async (d) => (await harborTask(d), openaiRun(d, '--price-file', await write(path.join(d, 'prices.yaml'), '- gpt-4.1-mini\n'))),
    message: /prices\.yaml: prices: .*expected record.*\(each model: \{ input, output, cached \}/,
  },

  // --- results folders --------------------------------------------------------------------------------------------
  {
    name: 'compare: a folder with no run.json',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await write(path.join(d, 'runs', 'empty', 'notes.txt'), 'x').then(() => path.join(d, 'runs', 'empty'))],
    message: /runs\/empty: no run\.json here; give a results folder made by hbench run: results\/<run> or results\/<run>#<harness>/,
  },
  {
    name: 'compare: run.json cut short',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { runJson: cutShort })],
    message: /runs\/b\/run\.json: not valid JSON \(.*\): the file was cut short or edited; restore it from a copy, or run the benchmark again/,
  },
  {
    name: 'compare: trials.jsonl with a corrupt middle line',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { trialsJsonl: (t) => breakMiddleLine(t, '{"schema":1,"key":') })],
    message: /runs\/b\/trials\.jsonl: line \d+ is not valid JSON; fix or remove it and try again/,
  },
  {
    name: 'compare: two runs mixed in one trials.jsonl',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { edit: (_r, t) => (t[3]!.runId = 'someone-else') })],
    message: /runs\/b\/trials\.jsonl: line 4: runId: "someone-else", but line 1 is of run "b": two runs were mixed in one file; move run "someone-else"'s lines to its own results folder/,
  },
  {
    name: 'compare: run.json of a newer schema',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { edit: (r) => ((r as { schema: number }).schema = 2) })],
    message: /runs\/b\/run\.json: schema: 2, but this hbench reads schema 1; read it with hbench 0\.0\.0-test, or run the benchmark again with this one/,
  },
  {
    name: 'compare: a trial line of another schema',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { edit: (_r, t) => ((t[1] as { schema: number }).schema = 0) })],
    message: /runs\/b\/trials\.jsonl: line 2: schema: 0, but this hbench reads schema 1/,
  },
  {
    name: 'compare: run.json without its tasks',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { edit: (r) => delete (r as Partial<RunRecord>).tasks })],
    message: /runs\/b\/run\.json: tasks: .*expected array.*restore it, or run the benchmark again/,
  },
  {
    name: 'compare: two runs that share no task',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { tasks: ['xray', 'yankee'] })],
    message: /a#baseline and b#baseline share no tasks: nothing to compare/,
  },
  {
    name: 'compare: runs of different models',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b', { model: 'openai:gpt-4.1' })],
    message: /the sides were run with different models \(sim vs openai:gpt-4\.1\).*pass --allow-model-change to compare anyway/,
  },
  {
    name: 'compare: a run of two harnesses without #harness',
    area: 'results',
    setup: async (d) => ['compare', await resultsRun(d, 'a', { harnesses: ['baseline', 'tuned'] }), await resultsRun(d, 'b')],
    message: /runs\/a: the run has 2 harnesses \(baseline, tuned\); name one: .*runs\/a#baseline/,
  },
  {
    name: 'compare: #harness not in the run',
    area: 'results',
    setup: async (d) => ['compare', `${await resultsRun(d, 'a')}#tuned`, await resultsRun(d, 'b')],
    message: /runs\/a#tuned: no harness "tuned" in this run \(it has baseline\)/,
  },
  { name: 'compare: --alpha 1.5', area: 'flag', setup: async (d) => ['compare', await resultsRun(d, 'a'), await resultsRun(d, 'b'), '--alpha', '1.5'], message: /--alpha must be between 0 and 1 \(got 1\.5\)/ },
  {
    name: 'plan: a task folder given as a results folder',
    area: 'results',
    setup: async (d) => ['plan', await resultsRun(d, 'a'), await harborTask(d)],
    message: /suite\/hello: no run\.json here; give a results folder made by hbench run/,
  },
  {
    name: 'plan: run.json cut short',
    area: 'results',
    setup: async (d) => ['plan', await resultsRun(d, 'a', { runJson: cutShort }), await resultsRun(d, 'b')],
    message: /runs\/a\/run\.json: not valid JSON .*restore it from a copy/,
  },
  {
    name: 'report: not a results folder',
    area: 'results',
    setup: async (d) => ['report', await harborTask(d)],
    message: /suite\/hello: no run\.json here; give a results folder made by hbench run \(results\/<run-id>\)/,
  },
  {
    name: 'report: run.json of an older schema',
    area: 'results',
    setup: async (d) => ['report', await resultsRun(d, 'a', { edit: (r) => delete (r as Partial<RunRecord>).schema })],
    message: /runs\/a\/run\.json: schema: missing, so this is not a run record hbench writes/,
  },
  {
    name: 'report: trials.jsonl with a line that is not a trial',
    area: 'results',
    setup: async (d) => ['report', await resultsRun(d, 'a', { trialsJsonl: (t) => breakMiddleLine(t, '[1,2,3]') })],
    message: /runs\/a\/trials\.jsonl: line \d+: not a trial record \(expected a JSON object with "key"/,
  },
  {
    name: 'status: run.json cut short',
    area: 'results',
    setup: async (d) => ['status', await resultsRun(d, 'a', { runJson: cutShort })],
    message: /runs\/a\/run\.json: not valid JSON .*restore it from a copy/,
  },
  {
    name: 'status: run.json of a newer schema',
    area: 'results',
    setup: async (d) => ['status', await resultsRun(d, 'a', { edit: (r) => ((r as { schema: number }).schema = 7) })],
    message: /runs\/a\/run\.json: schema: 7, but this hbench reads schema 1/,
  },
  {
    name: 'status: a folder holding no run',
    area: 'results',
    setup: async (d) => ['status', path.dirname(await harborTask(d))],
    message: /suite: no run\.json here or in its sub-folders; status takes folders written by hbench run/,
  },
  {
    name: 'status: no such folder',
    area: 'results',
    setup: async (d) => ['status', path.join(d, 'runs', 'gone')],
    message: /runs\/gone: no such folder; status takes results folders/,
  },
  {
    name: 'merge: a folder that is not a shard',
    area: 'results',
    setup: async (d) => ['merge', await resultsRun(d, 'a'), '--out', path.join(d, 'merged')],
    message: /runs\/a\/run\.json: no "shard" field: merge takes folders written by hbench run --shard I\/N/,
  },
  {
    name: 'merge: a shard with mixed runs in trials.jsonl',
    area: 'results',
    setup: async (d) => ['merge', await shardRun(d, (t) => (t[1]!.runId = 'other')), '--out', path.join(d, 'merged')],
    message: /runs\/sharded\/trials\.jsonl: line 2: runId: "other", but line 1 is of run "sharded": two runs were mixed/,
  },
  {
    name: 'merge: a folder with no run.json',
    area: 'results',
    setup: async (d) => ['merge', path.join(d, 'runs', 'none'), '--out', path.join(d, 'merged')],
    message: /runs\/none: no run\.json here; merge takes the shard folders/,
  },
  {
    name: 'merge: --out a folder that is not empty',
    area: 'results',
    setup: async (d) => ['merge', await shardRun(d), '--out', path.dirname(await write(path.join(d, 'merged', 'keep.txt'), 'mine\n'))],
    message: /--out .*merged: the folder exists and is not empty; merge into a new folder/,
  },
  {
    name: 'run --resume: no such folder',
    area: 'results',
    setup: async (d) => ['run', '--resume', path.join(d, 'runs', 'gone')],
    message: /runs\/gone: no run\.json here; --resume takes a results folder made by `hbench run`/,
  },
  {
    name: 'run --resume: run.json of a newer schema',
    area: 'results',
    setup: async (d) => ['run', '--resume', await resultsRun(d, 'a', { edit: (r) => ((r as { schema: number }).schema = 2) })],
    message: /runs\/a\/run\.json: schema: 2, but this hbench reads schema 1/,
  },
  {
    name: 'run --resume: two runs mixed in trials.jsonl',
    area: 'results',
    setup: async (d) => ['run', '--resume', await resultsRun(d, 'a', { edit: (_r, t) => (t[2]!.runId = 'other') })],
    message: /runs\/a\/trials\.jsonl: line 3: runId: "other", but line 1 is of run "a": two runs were mixed/,
  },
  {
    name: 'run --durations: not a results folder',
    area: 'results',
    setup: async (d) => (await harborTask(d), run(d, '--shard', '1/2', '--durations', path.join(d, 'suite'))),
    message: /suite: no run\.json here; --durations takes an earlier results folder/,
  },
  {
    name: 'export: not a results folder',
    area: 'results',
    setup: async (d) => ['export', path.dirname(await harborTask(d))],
    message: /suite: not a results folder \(no run\.json\); give a folder written by `hbench run`/,
  },
  {
    name: 'leaderboard: run.json cut short',
    area: 'results',
    setup: async (d) => ['leaderboard', await resultsRun(d, 'a'), await resultsRun(d, 'b', { runJson: cutShort })],
    message: /runs\/b\/run\.json: not valid JSON .*restore it from a copy/,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Running a row.

export interface BadInputVerdict {
  name: string;
  ok: boolean;
  /** What was wrong with the way the CLI handled the row (empty when ok). */
  problems: string[];
  code: number | null;
  stderr: string;
}

/** One row, in a fresh temporary folder removed afterwards: exit 2, one matching line, and the folder unchanged. */
export async function checkBadInput(row: BadInput, invoke: Invoke): Promise<BadInputVerdict> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hbench-bad-input-'));
  try {
    const args = await row.setup(dir);
    const before = await snapshot(dir);
    const r = await invoke(args, row.env ?? {});
    const after = await snapshot(dir);
    const problems: string[] = [];
    if (r.code !== 2) problems.push(`exit code ${r.code}, expected 2`);
    const lines = r.stderr.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length !== 1 || !lines[0]!.trim()) problems.push(`stderr has ${lines.length} line(s), expected exactly one: ${JSON.stringify(r.stderr.slice(0, 600))}`);
    else if (!lines[0]!.startsWith('hbench: ')) problems.push(`stderr does not start with "hbench: ": ${lines[0]}`);
    if (!row.message.test(r.stderr)) problems.push(`stderr does not match ${row.message}: ${JSON.stringify(r.stderr.slice(0, 600))}`);
    problems.push(...diffSnapshots(before, after));
    return { name: row.name, ok: problems.length === 0, problems, code: r.code, stderr: r.stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every entry under `dir` (links not followed, FIFOs never opened): type, size, mode and content hash or link target. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const info = await lstat(full);
      if (info.isDirectory()) {
        out.set(r, `dir ${info.mode.toString(8)}`);
        await walk(r);
      } else if (info.isSymbolicLink()) out.set(r, `link → ${await readlink(full)}`);
      else if (!info.isFile()) out.set(r, `special ${info.mode.toString(8)}`);
      // A sparse file of GBs is compared by size and time: reading it is what the rows are about.
      else if (info.size > 64 * 1024 * 1024) out.set(r, `file ${info.size} ${info.mode.toString(8)} mtime ${info.mtimeMs}`);
      else out.set(r, `file ${info.size} ${info.mode.toString(8)} ${createHash('sha256').update(await readFile(full)).digest('hex')}`);
    }
  }
  await walk('');
  return out;
}

export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p)) out.push(`wrote ${p}`);
    else if (before.get(p) !== v) out.push(`changed ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed ${p}`);
  return out;
}

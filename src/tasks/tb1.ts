/**
 * Terminal-Bench 1 task format: task.yaml (instruction, max_agent_timeout_sec, max_test_timeout_sec, …), a Dockerfile
 * at the task root (the task folder is the build context), run-tests.sh, tests/, and solution.sh or solution.yaml
 * (a list of commands). Tests are uploaded to /tests with TEST_DIR=/tests, as TB1 does; the trial passes when the
 * pytest summary shows every test passed.
 */
import path from 'node:path';
import { z } from 'zod';
import { TaskError } from '../common/errors.js';
import { isDir, isFile } from '../common/files.js';
import { composeEnvironment, composeFileIn, loadCompose, tb1ComposeVariables } from './compose.js';
import { DEFAULTS, type LoadOptions } from './harbor.js';
import { hashTree } from './hash.js';
import { readTaskFile } from './read-task-file.js';
import { parseTaskYaml } from './yaml-file.js';
import type { Task, TaskEnvironment, TaskSolution } from './task.js';
import { taskErrorFromZod } from './zod-issues.js';

const TB1_TEST_DIR = '/tests';

const Tb1Yaml = z.looseObject({
  instruction: z.string().min(1, 'expected the instruction text').optional(),
  descriptions: z.array(z.looseObject({ key: z.string().optional(), description: z.string() })).optional(),
  max_agent_timeout_sec: z.number().positive().optional(),
  max_test_timeout_sec: z.number().positive().optional(),
  difficulty: z.string().optional(),
  category: z.string().optional(),
  tags: z.array(z.string()).optional(),
  parser_name: z.string().optional(),
});

const EXAMPLES: Record<string, string> = {
  instruction: 'e.g. instruction: |, then the text on indented lines',
  max_agent_timeout_sec: 'e.g. max_agent_timeout_sec: 360',
  max_test_timeout_sec: 'e.g. max_test_timeout_sec: 60',
  tags: 'e.g. tags: [file-operations, easy]',
};

const SolutionYaml = z.array(
  z.union([z.string(), z.looseObject({ command: z.string(), min_timeout_sec: z.number().optional() })]),
);

export async function loadTb1Task(dir: string, options: LoadOptions = {}): Promise<Task> {
  const configFile = path.join(dir, 'task.yaml');
  const raw = parseTaskYaml(configFile, await readTaskFile(configFile, 'a Terminal-Bench 1 task folder holds task.yaml'));
  const parsed = Tb1Yaml.safeParse(raw ?? {});
  if (!parsed.success) throw taskErrorFromZod(configFile, parsed.error, (field) => EXAMPLES[field]);
  const y = parsed.data;
  const instruction = y.instruction ?? y.descriptions?.find((d) => (d.key ?? 'base') === 'base')?.description;
  if (!instruction) throw new TaskError(configFile, 'instruction', 'missing', 'add `instruction: |` with the text the agent is given');
  if (y.parser_name && y.parser_name !== 'pytest') {
    throw new TaskError(configFile, 'parser_name', `"${y.parser_name}" is not supported`, 'only the pytest parser is supported');
  }
  const dockerfile = path.join(dir, 'Dockerfile');
  if (!isFile(dockerfile)) throw new TaskError(dockerfile, undefined, 'missing', 'a Terminal-Bench 1 task needs a Dockerfile at the task root');
  const runTests = path.join(dir, 'run-tests.sh');
  if (!isFile(runTests)) throw new TaskError(runTests, undefined, 'missing', 'add run-tests.sh, which runs the tests in $TEST_DIR with pytest');

  const contentHash = await hashTree([dir]);
  const environment: TaskEnvironment = {
    source: { kind: 'dockerfile', contextDir: dir, dockerfile: 'Dockerfile' },
    // The whole folder is the build context, so the whole folder keys the image.
    contentHash,
    cpus: DEFAULTS.cpus,
    memoryMb: DEFAULTS.memoryMb,
    pidsLimit: DEFAULTS.pidsLimit,
    storageMb: DEFAULTS.storageMb,
    buildTimeoutSec: DEFAULTS.buildTimeoutSec,
    workdir: null,
    env: {},
    network: 'none',
  };
  // docker-compose.yaml: the agent runs in its `client` service; the other services are started beside it.
  const composeFile = composeFileIn(dir);
  const composed = composeFile
    ? await composeEnvironment(environment, await loadCompose(composeFile, { main: 'client', mainRequired: true, variables: tb1ComposeVariables(path.basename(dir)), hostEnv: options.hostEnv ?? process.env }), 'client')
    : { environment, unhonoured: [] };
  return {
    id: path.basename(dir),
    dir,
    format: 'tb1',
    configFile,
    description: '',
    metadata: { difficulty: y.difficulty, category: y.category, tags: y.tags ?? [] },
    environment: composed.environment,
    healthcheck: null,
    artifacts: [],
    verifierMode: null,
    verifierEnvironment: null,
    steps: [
      {
        name: 'main',
        instruction,
        agentTimeoutSec: y.max_agent_timeout_sec ?? 180,
        verifier: {
          timeoutSec: y.max_test_timeout_sec ?? 30,
          env: { TEST_DIR: TB1_TEST_DIR },
          user: null,
          testsDirs: isDir(path.join(dir, 'tests')) ? [path.join(dir, 'tests')] : [],
          testsFiles: [[runTests, 'run-tests.sh']],
          command: ['bash', `${TB1_TEST_DIR}/run-tests.sh`],
          rewardSource: 'pytest-summary',
        },
        solution: await tb1Solution(dir),
        workdirFiles: null,
        minReward: null,
        healthcheck: null,
        artifacts: [],
        agentNetwork: null,
        verifierNetwork: null,
      },
    ],
    multiStep: false,
    rewardStrategy: 'final',
    contentHash,
    unhonoured: composed.unhonoured,
  };
}

async function tb1Solution(dir: string): Promise<TaskSolution | null> {
  if (isFile(path.join(dir, 'solution.sh'))) return { kind: 'script', dir, script: 'solution.sh', scriptOnly: true, env: {} };
  const file = path.join(dir, 'solution.yaml');
  if (!isFile(file)) return null;
  const raw = parseTaskYaml(file, await readTaskFile(file, 'write the solution commands as a YAML list'));
  const parsed = SolutionYaml.safeParse(raw);
  if (!parsed.success) throw taskErrorFromZod(file, parsed.error);
  return { kind: 'commands', commands: parsed.data.map((c) => (typeof c === 'string' ? c : c.command)), env: {} };
}

/**
 * Harbor / Terminal-Bench 2.0 task format: task.toml, instruction.md, environment/, tests/test.sh, solution/solve.sh,
 * and multi-step tasks with [[steps]] and steps/<name>/{instruction.md,tests/,solution/,workdir/}.
 * Unknown keys are ignored, as Harbor ignores them.
 */
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { TaskError, errorMessage, oneLine } from '../common/errors.js';
import { isDir, isFile } from '../common/files.js';
import { composeEnvironment, composeFileIn, harborComposeVariables, loadCompose } from './compose.js';
import { resolveEnvTemplates } from './env-template.js';
import { hashTree } from './hash.js';
import { readTaskFile } from './read-task-file.js';
import type { Task, TaskEnvironment, TaskSolution, TaskStep, TaskVerifier } from './task.js';
import { ArtifactToml, HealthcheckToml, artifacts, healthcheck } from './harbor-fields.js';
import { resolveVerifierEnvironment } from './harbor-verifier-env.js';
import { AllowedHostsToml, NetworkModeToml, networkPolicy, type NetworkTable } from './network-policy.js';
import { unhonouredFields } from './unhonoured.js';
import { taskErrorFromZod } from './zod-issues.js';

const stringTable = z.record(z.string(), z.string());
const seconds = z.number().positive();

const NetworkMode = NetworkModeToml;
const PhaseAgent = z.looseObject({ timeout_sec: seconds.optional(), network_mode: NetworkMode.optional(), allowed_hosts: AllowedHostsToml.optional() });
const User = z.union([z.string().min(1), z.number().int().min(0)]).transform(String);
const PhaseVerifier = z.looseObject({ timeout_sec: seconds.optional(), env: stringTable.optional(), user: User.optional(), environment_mode: z.enum(['shared', 'separate']).optional(), network_mode: NetworkMode.optional(), allowed_hosts: AllowedHostsToml.optional() });

const HarborToml = z.looseObject({
  schema_version: z.union([z.string(), z.number()]).optional(),
  version: z.union([z.string(), z.number()]).optional(),
  task: z.looseObject({ name: z.string().optional(), description: z.string().optional() }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  agent: PhaseAgent.optional(),
  verifier: PhaseVerifier.optional(),
  solution: z.looseObject({ env: stringTable.optional() }).optional(),
  environment: z
    .looseObject({
      build_timeout_sec: seconds.optional(),
      docker_image: z.string().min(1).optional(),
      cpus: z.number().positive().optional(),
      memory_mb: z.number().int().positive().optional(),
      memory: z.string().regex(/^\s*\d+(\.\d+)?\s*[KkMmGg]\s*$/, 'expected a size like "2G" or "512M"').optional(),
      pids_limit: z.number().int().positive().optional(),
      storage_mb: z.number().int().positive().optional(),
      allow_internet: z.boolean().optional(),
      network_mode: NetworkMode.optional(),
      allowed_hosts: AllowedHostsToml.optional(),
      workdir: z.string().startsWith('/', 'expected an absolute path in the container').optional(),
      env: stringTable.optional(),
      healthcheck: HealthcheckToml.optional(),
    })
    .optional(),
  multi_step_reward_strategy: z.enum(['mean', 'final']).optional(),
  artifacts: z.array(ArtifactToml).optional(),
  steps: z
    .array(
      z.looseObject({
        name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a folder name under steps/ (letters, digits, . _ -)'),
        min_reward: z.number().optional(),
        agent: PhaseAgent.optional(),
        verifier: PhaseVerifier.optional(),
        healthcheck: HealthcheckToml.optional(),
        artifacts: z.array(ArtifactToml).optional(),
      }),
    )
    .min(1, 'expected at least one [[steps]] table')
    .optional(),
});
type HarborToml = z.infer<typeof HarborToml>;

const EXAMPLES: Record<string, string> = {
  'agent.timeout_sec': 'e.g. timeout_sec = 600.0',
  'verifier.timeout_sec': 'e.g. timeout_sec = 120.0',
  'environment.cpus': 'e.g. cpus = 1',
  'environment.memory_mb': 'e.g. memory_mb = 2048',
  'environment.memory': 'e.g. memory = "2G"',
  'environment.storage_mb': 'e.g. storage_mb = 10240',
  'environment.network_mode': 'one of "public", "no-network", "allowlist"',
  multi_step_reward_strategy: 'one of "mean", "final"',
};

export const DEFAULTS = {
  agentTimeoutSec: 600,
  verifierTimeoutSec: 600,
  buildTimeoutSec: 600,
  cpus: 1,
  memoryMb: 2048,
  pidsLimit: 4096,
  /** As Harbor's default. */
  storageMb: 10240,
} as const;

export interface LoadOptions {
  hostEnv?: NodeJS.ProcessEnv;
}

export async function loadHarborTask(dir: string, options: LoadOptions = {}): Promise<Task> {
  const configFile = path.join(dir, 'task.toml');
  const text = await readTaskFile(configFile, 'a Harbor task folder holds task.toml');
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    const line = (err as { line?: number }).line;
    throw new TaskError(configFile, line ? `line ${line}` : undefined, `not valid TOML: ${oneLine(errorMessage(err).split('\n')[0] ?? '', 200)}`, `fix the TOML syntax${line ? ` on line ${line}` : ''}; see https://toml.io`);
  }
  const parsed = HarborToml.safeParse(raw);
  if (!parsed.success) {
    throw taskErrorFromZod(configFile, parsed.error, (field) => EXAMPLES[field.replace(/^steps\.\d+\./, '')]);
  }
  const toml = parsed.data;
  const hostEnv = options.hostEnv ?? process.env;
  const envTable = (table: Record<string, string> | undefined, field: string) =>
    resolveEnvTemplates(table ?? {}, hostEnv, (key, variable) => {
      throw new TaskError(configFile, `${field}.${key}`, `needs the host variable ${variable}, which is not set`, `export ${variable} or give a default: \${${variable}:-value}`);
    });

  const composeWarnings: string[] = [];
  const environment = await resolveEnvironment(dir, toml, envTable(toml.environment?.env, 'environment.env'), { hostEnv, warnings: composeWarnings });
  const verifierEnv = envTable(toml.verifier?.env, 'verifier.env');
  const solutionEnv = envTable(toml.solution?.env, 'solution.env');
  const agentTimeoutSec = toml.agent?.timeout_sec ?? DEFAULTS.agentTimeoutSec;
  const verifierTimeoutSec = toml.verifier?.timeout_sec ?? DEFAULTS.verifierTimeoutSec;
  const taskTests = path.join(dir, 'tests');

  let steps: TaskStep[];
  if (toml.steps) {
    const seen = new Set<string>();
    steps = [];
    for (const [i, s] of toml.steps.entries()) {
      const field = `steps.${i}`;
      if (seen.has(s.name)) throw new TaskError(configFile, `${field}.name`, `duplicate step name "${s.name}"`, 'give every step its own name');
      seen.add(s.name);
      const stepDir = path.join(dir, 'steps', s.name);
      if (!isDir(stepDir)) throw new TaskError(configFile, `${field}.name`, `no folder steps/${s.name}/ for step "${s.name}"`, `create ${path.join(stepDir, 'instruction.md')}`);
      const testsDirs = [taskTests, path.join(stepDir, 'tests')].filter(isDir);
      if (!testsDirs.some((d) => isFile(path.join(d, 'test.sh')))) {
        throw new TaskError(path.join(stepDir, 'tests', 'test.sh'), undefined, 'missing: a step needs a verifier', 'add steps/<name>/tests/test.sh or a task-level tests/test.sh');
      }
      const stepEnv = s.verifier?.env ? { ...verifierEnv, ...envTable(s.verifier.env, `${field}.verifier.env`) } : verifierEnv;
      steps.push({
        name: s.name,
        instruction: await readInstruction(path.join(stepDir, 'instruction.md')),
        agentTimeoutSec: s.agent?.timeout_sec ?? agentTimeoutSec,
        verifier: verifier(testsDirs, s.verifier?.timeout_sec ?? verifierTimeoutSec, stepEnv, s.verifier?.user ?? toml.verifier?.user ?? null),
        solution: scriptSolution(path.join(stepDir, 'solution'), solutionEnv),
        workdirFiles: isDir(path.join(stepDir, 'workdir')) ? path.join(stepDir, 'workdir') : null,
        minReward: s.min_reward ?? null,
        healthcheck: healthcheck(s.healthcheck),
        artifacts: artifacts(s.artifacts),
        agentNetwork: networkPolicy(s.agent?.network_mode ? s.agent : toml.agent) ?? ownNetwork(toml),
        verifierNetwork: networkPolicy(s.verifier?.network_mode ? s.verifier : toml.verifier) ?? ownNetwork(toml),
      });
    }
  } else {
    if (!isFile(path.join(taskTests, 'test.sh'))) {
      throw new TaskError(path.join(taskTests, 'test.sh'), undefined, 'missing: the task has no verifier', 'add tests/test.sh that writes /logs/verifier/reward.txt');
    }
    steps = [
      {
        name: 'main',
        instruction: await readInstruction(path.join(dir, 'instruction.md')),
        agentTimeoutSec,
        verifier: verifier([taskTests], verifierTimeoutSec, verifierEnv, toml.verifier?.user ?? null),
        solution: scriptSolution(path.join(dir, 'solution'), solutionEnv),
        workdirFiles: null,
        minReward: null,
        healthcheck: null,
        artifacts: [],
        agentNetwork: networkPolicy(toml.agent) ?? ownNetwork(toml),
        verifierNetwork: networkPolicy(toml.verifier) ?? ownNetwork(toml),
      },
    ];
  }

  return {
    id: path.basename(dir),
    dir,
    format: 'harbor',
    configFile,
    description: toml.task?.description ?? '',
    metadata: toml.metadata ?? {},
    environment,
    healthcheck: healthcheck(toml.environment?.healthcheck),
    verifierEnvironment: await resolveVerifierEnvironment(dir, (toml.verifier as Record<string, unknown> | undefined)?.environment, environment, configFile),
    artifacts: artifacts(toml.artifacts),
    // Harbor's resolution: an explicit mode, else separate when the verifier has an environment of its own.
    verifierMode: toml.verifier?.environment_mode ?? (toml.verifier && 'environment' in toml.verifier ? 'separate' : null),
    steps,
    multiStep: Boolean(toml.steps),
    rewardStrategy: toml.multi_step_reward_strategy ?? 'mean',
    contentHash: await hashTree([dir]),
    unhonoured: [...unhonouredFields(toml as Record<string, unknown>), ...composeWarnings],
  };
}

async function resolveEnvironment(dir: string, toml: HarborToml, env: Record<string, string>, o: { hostEnv: NodeJS.ProcessEnv; warnings: string[] }): Promise<TaskEnvironment> {
  const e = toml.environment ?? {};
  const envDir = path.join(dir, 'environment');
  // A multi-container task: environment/docker-compose.yaml, the agent in its `main` service.
  const composeFile = composeFileIn(envDir);
  const compose = composeFile ? await loadCompose(composeFile, { main: 'main', mainRequired: false, variables: harborComposeVariables(envDir, e.cpus ?? DEFAULTS.cpus, e.memory_mb ?? (e.memory ? parseSizeMb(e.memory) : DEFAULTS.memoryMb)), hostEnv: o.hostEnv }) : null;
  let source: TaskEnvironment['source'];
  let contentHash: string;
  if (e.docker_image) {
    source = { kind: 'image', image: e.docker_image };
    contentHash = await hashTree([], [`image:${e.docker_image}`]);
  } else {
    const dockerfile = path.join(envDir, 'Dockerfile');
    if (!isFile(dockerfile) && !compose?.mainSource) {
      throw new TaskError(dockerfile, undefined, 'missing', 'add environment/Dockerfile, or set [environment].docker_image in task.toml');
    }
    source = { kind: 'dockerfile', contextDir: envDir, dockerfile: 'Dockerfile' };
    contentHash = await hashTree([envDir]);
  }
  const memoryMb = e.memory_mb ?? (e.memory ? parseSizeMb(e.memory) : DEFAULTS.memoryMb);
  const own = ownNetwork(toml);
  // A phase that needs the network needs a container started on one (it switches networks between phases). Where the
  // environment itself has none, an allowlist phase starts it on the egress network with no hosts allowed.
  const phases = [toml.agent, toml.verifier, ...(toml.steps ?? []).flatMap((s) => [s.agent, s.verifier])].map((p) => p?.network_mode);
  const network: TaskEnvironment['network'] =
    own !== 'none' ? own : phases.includes('allowlist') ? { mode: 'allowlist', hosts: [] } : phases.includes('public') ? 'bridge' : 'none';
  const resolved: TaskEnvironment = {
    source,
    contentHash,
    cpus: e.cpus ?? DEFAULTS.cpus,
    memoryMb,
    pidsLimit: e.pids_limit ?? DEFAULTS.pidsLimit,
    storageMb: e.storage_mb ?? DEFAULTS.storageMb,
    buildTimeoutSec: e.build_timeout_sec ?? DEFAULTS.buildTimeoutSec,
    workdir: e.workdir ?? null,
    env,
    network,
  };
  if (!compose) return resolved;
  const applied = await composeEnvironment(resolved, compose, 'main');
  o.warnings.push(...applied.unhonoured);
  return applied.environment;
}

/** The environment's own network: `network_mode` (with its `allowed_hosts`), else the legacy `allow_internet`, else none. */
function ownNetwork(toml: HarborToml): TaskEnvironment['network'] {
  const e: NetworkTable = toml.environment ?? {};
  return networkPolicy(e) ?? (toml.environment?.allow_internet === true ? 'bridge' : 'none');
}

function verifier(testsDirs: string[], timeoutSec: number, env: Record<string, string>, user: string | null): TaskVerifier {
  return { timeoutSec, env, user, testsDirs, testsFiles: [], command: ['bash', '/tests/test.sh'], rewardSource: 'reward-file' };
}

function scriptSolution(solutionDir: string, env: Record<string, string>): TaskSolution | null {
  return isFile(path.join(solutionDir, 'solve.sh')) ? { kind: 'script', dir: solutionDir, script: 'solve.sh', scriptOnly: false, env } : null;
}

export function parseSizeMb(size: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KkMmGg])\s*$/.exec(size)!;
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  return Math.max(1, Math.round(unit === 'G' ? n * 1024 : unit === 'M' ? n : n / 1024));
}

async function readInstruction(file: string): Promise<string> {
  const text = await readTaskFile(file, 'write the instruction the agent is given into this file');
  if (!text.trim()) throw new TaskError(file, undefined, 'is empty', 'write the instruction the agent is given into this file');
  return text;
}


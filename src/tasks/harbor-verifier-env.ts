/** Harbor's `[verifier.environment]`, resolved into the environment the separate verifier runs in. */
import path from 'node:path';
import { z } from 'zod';
import { TaskError } from '../common/errors.js';
import { isFile } from '../common/files.js';
import { hashTree } from './hash.js';
import type { TaskEnvironment } from './task.js';

const seconds = z.number().positive();
const stringTable = z.record(z.string(), z.string());

const VerifierEnvironmentToml = z.looseObject({
  docker_image: z.string().min(1).optional(),
  build_timeout_sec: seconds.optional(),
  cpus: z.number().positive().optional(),
  memory_mb: z.number().int().positive().optional(),
  pids_limit: z.number().int().positive().optional(),
  env: stringTable.optional(),
});

/**
 * `[verifier.environment]`: the separate verifier's own image (`docker_image`, else `tests/Dockerfile` with tests/ as
 * the build context, else the task's image) and resources. It never has a network.
 */
export async function resolveVerifierEnvironment(dir: string, raw: unknown, task: TaskEnvironment, configFile: string): Promise<TaskEnvironment | null> {
  if (raw === undefined) return null;
  const parsed = VerifierEnvironmentToml.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TaskError(configFile, ['verifier', 'environment', ...issue.path.map(String)].join('.'), issue.message);
  }
  const v = parsed.data;
  const testsDockerfile = path.join(dir, 'tests', 'Dockerfile');
  let source: TaskEnvironment['source'] = task.source;
  let contentHash = task.contentHash;
  if (v.docker_image) {
    source = { kind: 'image', image: v.docker_image };
    contentHash = await hashTree([], [`image:${v.docker_image}`]);
  } else if (isFile(testsDockerfile)) {
    source = { kind: 'dockerfile', contextDir: path.join(dir, 'tests'), dockerfile: 'Dockerfile' };
    contentHash = await hashTree([path.join(dir, 'tests')], ['verifier']);
  }
  return {
    ...task,
    source,
    contentHash,
    cpus: v.cpus ?? task.cpus,
    memoryMb: v.memory_mb ?? task.memoryMb,
    pidsLimit: v.pids_limit ?? task.pidsLimit,
    buildTimeoutSec: v.build_timeout_sec ?? task.buildTimeoutSec,
    env: { ...task.env, ...(v.env ?? {}) },
    network: 'none',
  };
}


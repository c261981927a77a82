/** A suite of one task whose agent naps a few seconds and then does the work: trials stay in flight long enough to be hit. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './cli.js';

/** The image the task is built from (seed it into a private engine). */
export const NAP_IMAGE = 'debian:bookworm-slim';

export async function napSuite(napSec = 3): Promise<{ tasks: string; harness: string; taskId: string }> {
  const root = await tempDir('hbench-nap-suite-');
  const task = path.join(root, 'tasks/nap');
  await mkdir(path.join(task, 'environment'), { recursive: true });
  await mkdir(path.join(task, 'tests'), { recursive: true });
  await writeFile(path.join(task, 'task.toml'), '[agent]\ntimeout_sec = 60.0\n[verifier]\ntimeout_sec = 20.0\n[environment]\nmemory_mb = 256\nworkdir = "/app"\n');
  await writeFile(path.join(task, 'environment/Dockerfile'), `FROM ${NAP_IMAGE}\nWORKDIR /app\n`);
  await writeFile(path.join(task, 'instruction.md'), 'Write hello to /app/hello.txt\n');
  await writeFile(path.join(task, 'tests/test.sh'), '#!/bin/bash\nmkdir -p /logs/verifier\nif [ "$(cat /app/hello.txt 2>/dev/null)" = hello ]; then echo 1; else echo 0; fi > /logs/verifier/reward.txt\n');
  const harness = path.join(root, 'napper.yaml');
  await writeFile(harness, `kind: command\nrun: sleep ${napSec} && echo hello > /app/hello.txt\n`);
  return { tasks: path.join(root, 'tasks'), harness, taskId: 'nap' };
}

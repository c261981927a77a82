/** `hbench cleanup`: remove containers and networks left by hbench runs that died, or (--all) every one. */
import type { Argv } from 'yargs';
import { DockerBackend } from '../../sandbox/docker-backend.js';
import { EXIT } from '../exit-codes.js';

export interface CleanupArgs {
  all: boolean;
  run?: string;
}

export function declareCleanup(y: Argv): Argv<CleanupArgs> {
  return y
    .option('all', { type: 'boolean', default: false, describe: 'Also remove resources of hbench processes that are still running' })
    .option('run', { type: 'string', describe: 'Remove everything one run made, whoever made it (a run that is over; a swarm run cleans every node this way)' }) as unknown as Argv<CleanupArgs>;
}

export async function cleanupCommand(args: CleanupArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const backend = new DockerBackend({ runId: 'cleanup' });
  await backend.ping();
  const { containers, networks } = await backend.sweep({ all: args.all, ...(args.run ? { run: args.run } : {}) });
  print(`removed ${containers} container(s) and ${networks} network(s)\n`);
  return EXIT.ok;
}

/**
 * `hbench k8s-job --run-id ID --shards N --image IMG --pvc NAME -- RUN OPTIONS`: the Kubernetes manifest of a sharded
 * run (an Indexed Job of shards, each with its own Docker engine, and the merge Job). What follows `--` is handed to
 * every shard's `hbench run` and checked here first, so a typo fails now rather than in N pods.
 */
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { errorMessage, UsageError } from '../../common/errors.js';
import { DEFAULT_DIND_IMAGE, defaultJobName, parseResources, renderManifest, type K8sJobSpec } from '../../cluster/k8s-job.js';
import { writeFileAtomic } from '../../report/junit-reporter.js';
import { EXIT } from '../exit-codes.js';
import { checkRunArgs, declareRun, runConfigFromArgs, type RunArgs } from './run-options.js';

export interface K8sJobArgs {
  runId: string;
  shards: number;
  parallelism?: number;
  image: string;
  dindImage: string;
  pvc: string;
  namespace?: string;
  name?: string;
  resources?: string;
  retries: number;
  envFromSecret: string[];
  merge: boolean;
  mergeTimeout: number;
  out?: string;
  /** The `hbench run` options after `--`. */
  '--'?: (string | number)[];
}

export function declareK8sJob(y: Argv): Argv<K8sJobArgs> {
  return y
    .usage('hbench k8s-job --run-id ID --shards N --image IMAGE --pvc CLAIM [options] -- [hbench run options]')
    .example('hbench k8s-job --run-id nightly-7 --shards 8 --parallelism 4 --image registry.example/hbench:1 --pvc hbench-results -- --harness baseline --harness self-verify --model sim --trials 5', 'eight shards, four at a time')
    .option('run-id', { type: 'string', demandOption: true, describe: 'The run id every shard carries; shards go to /results/<run-id>.shard-I-of-N, the merge to /results/<run-id>' })
    .option('shards', { type: 'number', demandOption: true, describe: 'N: the Indexed Job has N completions, pod i runs --shard i+1/N' })
    .option('parallelism', { type: 'number', describe: 'Shard pods at once (default: all N)' })
    .option('image', { type: 'string', demandOption: true, describe: 'Worker image: hbench and node on PATH, the tasks and harnesses inside (examples/kubernetes/README.md)' })
    .option('dind-image', { type: 'string', default: DEFAULT_DIND_IMAGE, describe: "Image of each pod's Docker engine (a privileged native sidecar)" })
    .option('pvc', { type: 'string', demandOption: true, describe: 'PersistentVolumeClaim mounted at /results in every pod (ReadWriteMany when pods may land on different nodes)' })
    .option('namespace', { type: 'string', describe: "Namespace of the Jobs (default: the kubectl context's)" })
    .option('name', { type: 'string', describe: 'Job name (default: hbench-<run-id>); the merge Job is <name>-merge' })
    .option('resources', { type: 'string', describe: 'Requests of the Docker engine container, where the trials run: cpu=4,memory=8Gi[,ephemeral-storage=50Gi]' })
    .option('retries', { type: 'number', default: 2, describe: 'Retries of one shard (backoffLimitPerIndex); a retried pod resumes the shard, repeating nothing recorded' })
    .option('env-from-secret', { type: 'string', array: true, default: [] as string[], describe: "A Secret whose keys become the shard pods' environment (model API keys); repeatable" })
    .option('merge', { type: 'boolean', default: true, describe: 'Also emit the merge Job, which waits for every shard and runs hbench merge (--no-merge: leave it out)' })
    .option('merge-timeout', { type: 'number', default: 86_400, describe: 'Seconds after which the merge Job gives up waiting for the shards (activeDeadlineSeconds)' })
    .option('out', { type: 'string', describe: 'Write the manifest to this file instead of stdout' })
    .parserConfiguration({ 'populate--': true }) as unknown as Argv<K8sJobArgs>;
}

export async function k8sJobCommand(args: K8sJobArgs, stdout: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const passThrough = (args['--'] ?? []).map(String);
  const run = checkPassThrough(passThrough, args);
  const name = args.name ?? defaultJobName(args.runId);
  if (!name) throw new UsageError(`--run-id "${args.runId}" makes no Job name; give one with --name`);
  const spec: K8sJobSpec = {
    name,
    namespace: args.namespace ?? null,
    runId: args.runId,
    shards: args.shards,
    parallelism: args.parallelism ?? args.shards,
    image: args.image,
    dindImage: args.dindImage,
    pvc: args.pvc,
    dindResources: args.resources ? parseResources(args.resources) : {},
    retries: args.retries,
    runArgs: passThrough,
    resumeArgs: reissue(passThrough, run, RESUME_OPTIONS),
    mergeArgs: reissue(passThrough, run, MERGE_OPTIONS),
    envFromSecrets: args.envFromSecret,
    merge: args.merge,
    mergeTimeoutSeconds: args.mergeTimeout,
  };
  const manifest = renderManifest(spec);
  if (args.out) {
    await writeFileAtomic(path.resolve(args.out), manifest);
    stdout(`wrote ${args.out}: kubectl apply -f ${args.out}\n`);
  } else {
    stdout(manifest);
  }
  return EXIT.ok;
}

/** What k8s-job sets on every shard itself. */
const OWNED = ['shard', 'run-id', 'out', 'resume'];
/** The Indexed Job is the distribution: each pod is one shard on its own engine. */
const ELSEWHERE = ['engine', 'workers', 'worker-image', 'build-worker-on', 'hub-address', 'max-workers-per-node', 'worker-attempts', 'worker-env'];
/** `hbench run --resume` takes everything else from the shard's run.json. */
const RESUME_OPTIONS = ['concurrency', 'harness-dir', 'reporter', 'junit', 'summary-md', 'errors-as-failures'];
const MERGE_OPTIONS = ['errors-as-failures'];

/** The options after `--`, parsed and checked as `hbench run` would for shard 1. */
function checkPassThrough(tokens: string[], args: K8sJobArgs): RunArgs {
  const owned = [...givenOptions(tokens)].filter((o) => OWNED.includes(o));
  if (owned.length) throw new UsageError(`after --: drop --${owned.join(', --')}; k8s-job sets --shard, --run-id, --out and --resume for every shard itself`);
  const elsewhere = [...givenOptions(tokens)].filter((o) => ELSEWHERE.includes(o));
  if (elsewhere.length) throw new UsageError(`after --: drop --${elsewhere.join(', --')}; in Kubernetes each shard pod runs on its own Docker engine (secrets: --env-from-secret)`);
  let parsed: RunArgs;
  try {
    parsed = declareRun(yargs(tokens))
      .strict()
      .help(false)
      .version(false)
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseSync() as unknown as RunArgs;
  } catch (err) {
    throw new UsageError(`after --: ${errorMessage(err)} (give hbench run options; see hbench run --help)`);
  }
  const stray = (parsed as unknown as { _: unknown[] })._;
  if (stray.length) throw new UsageError(`after --: ${stray.join(' ')} is not an option; give hbench run options only, e.g. -- --harness baseline --trials 5`);
  const asShard = { ...parsed, shard: `1/${args.shards}`, runId: args.runId };
  checkRunArgs(asShard);
  runConfigFromArgs(asShard);
  return parsed;
}

/** Option names given in `tokens`, in kebab case (`--runId`, `--run-id=x` and `--no-run-id` all name run-id). */
function givenOptions(tokens: string[]): Set<string> {
  const names = new Set<string>();
  for (const t of tokens) {
    const m = /^--(?:no-)?([A-Za-z][\w-]*)/.exec(t);
    if (m) names.add(m[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  }
  return names;
}

/** The given options among `wanted`, written out again from their parsed values. */
function reissue(tokens: string[], parsed: RunArgs, wanted: string[]): string[] {
  const given = givenOptions(tokens);
  const values = parsed as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const name of wanted.filter((w) => given.has(w))) {
    const value = values[name];
    if (typeof value === 'boolean') out.push(value ? `--${name}` : `--no-${name}`);
    else if (Array.isArray(value)) for (const v of value) out.push(`--${name}`, String(v));
    else if (value !== undefined) out.push(`--${name}`, String(value));
  }
  return out;
}

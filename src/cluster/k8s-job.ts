/**
 * A sharded run as Kubernetes objects: an Indexed Job whose pod `i` runs `hbench run --shard i+1/N` beside its own
 * Docker engine (a privileged `docker:dind` native sidecar), writing to a shared PersistentVolumeClaim, and a merge
 * Job that waits on that volume until every shard is complete, then runs `hbench merge`. Pure: builds objects and
 * text, talks to no cluster. Needs Kubernetes ≥ 1.29 (native sidecars, backoffLimitPerIndex, podReplacementPolicy).
 */
import { stringify } from 'yaml';
import { UsageError } from '../common/errors.js';
import { shardFolderName } from '../runner/shard.js';

export interface K8sJobSpec {
  /** The Indexed Job's name; the merge Job is `<name>-merge`. */
  name: string;
  /** Null: the namespace of the kubectl context. */
  namespace: string | null;
  runId: string;
  shards: number;
  /** Shard pods at once. */
  parallelism: number;
  /** The worker image: `hbench` and `node` on PATH, the tasks and harnesses inside. */
  image: string;
  dindImage: string;
  /** An existing claim; ReadWriteMany when shard pods may land on different nodes. */
  pvc: string;
  /** Requests of the Docker engine's container, where the trial containers run (cpu, memory, ephemeral-storage). */
  dindResources: Record<string, string>;
  /** Retries of one shard (backoffLimitPerIndex); a retried pod resumes the shard's folder. */
  retries: number;
  /** `hbench run` options of a fresh shard, after the --shard, --run-id and --out this builder sets. */
  runArgs: string[];
  /** `hbench run --resume` options (a resume takes tasks, harnesses and trials from the shard's run.json). */
  resumeArgs: string[];
  /** `hbench merge` options. */
  mergeArgs: string[];
  /** Secrets whose keys become environment variables of the shard pods (model API keys). */
  envFromSecrets: string[];
  /** Also emit the merge Job. */
  merge: boolean;
  /** The merge Job's activeDeadlineSeconds: it gives up when the shards have not all completed by then. */
  mergeTimeoutSeconds: number;
}

/** A Kubernetes object as plain JSON, the shape `kubectl apply` reads. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export const DEFAULT_DIND_IMAGE = 'docker:27-dind';
export const RESULTS_MOUNT = '/results';
const SOCKET_DIR = '/run/hbench-docker';
const DOCKER_HOST = `unix://${SOCKET_DIR}/docker.sock`;
/** Shared by the worker and the engine at one path: bind mounts the worker asks for (a known agent's package) must exist where the engine runs. */
const CACHE_DIR = '/hbench-cache';
/** The worker's exit code for bad input (cli/exit-codes.ts): every shard would fail the same way. */
const EXIT_USAGE = 2;
const MERGE_POLL_SECONDS = 30;
/** Job names end up in pod names and labels (63 characters); the merge Job adds `-merge`. */
const MAX_NAME = 63 - '-merge'.length;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
const RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'];
/** Kubernetes' limit on completions (and parallelism) of an Indexed Job with backoffLimitPerIndex. */
const MAX_SHARDS = 100_000;

/** `hbench-<run-id>` made a valid Job name, or null when the run id leaves nothing usable. */
export function defaultJobName(runId: string): string | null {
  const name = `hbench-${runId.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, MAX_NAME).replace(/-+$/, '');
  return DNS_LABEL.test(name) ? name : null;
}

/** `cpu=4,memory=8Gi` → `{ cpu: '4', memory: '8Gi' }`. */
export function parseResources(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (!key || !value || rest.length) throw new UsageError(`--resources ${text}: give NAME=QUANTITY pairs separated by commas, e.g. --resources cpu=4,memory=8Gi`);
    if (!RESOURCE_NAMES.includes(key)) throw new UsageError(`--resources: ${key} is not one of ${RESOURCE_NAMES.join(', ')}`);
    if (!QUANTITY.test(value)) throw new UsageError(`--resources: ${key}=${value} is not a Kubernetes quantity (e.g. 4, 500m, 8Gi)`);
    out[key] = value;
  }
  return out;
}

/** Every way the spec could make a manifest Kubernetes refuses, as one line each way. */
export function checkK8sJobSpec(spec: K8sJobSpec): void {
  const whole = (flag: string, n: number, min: number, max?: number) => {
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new UsageError(`${flag} must be a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`} (got ${n})`);
    }
  };
  whole('--shards', spec.shards, 1, MAX_SHARDS);
  whole('--parallelism', spec.parallelism, 1, spec.shards);
  whole('--retries', spec.retries, 0, 100);
  whole('--merge-timeout', spec.mergeTimeoutSeconds, 60);
  safeRunId(spec.runId);
  if (!DNS_LABEL.test(spec.name) || spec.name.length > MAX_NAME) {
    throw new UsageError(`--name "${spec.name}": a Job name is lower-case letters, digits and "-", starts and ends with a letter or digit, at most ${MAX_NAME} characters`);
  }
  if (spec.namespace !== null && (!DNS_LABEL.test(spec.namespace) || spec.namespace.length > 63)) {
    throw new UsageError(`--namespace "${spec.namespace}": lower-case letters, digits and "-", at most 63 characters`);
  }
  for (const [flag, value] of [['--pvc', spec.pvc], ...spec.envFromSecrets.map((s) => ['--env-from-secret', s])] as const) {
    if (!DNS_SUBDOMAIN.test(value) || value.length > 253) throw new UsageError(`${flag} "${value}": not a Kubernetes object name (lower-case letters, digits, "-" and ".")`);
  }
  for (const [flag, value] of [['--image', spec.image], ['--dind-image', spec.dindImage]] as const) {
    if (!value || /\s/.test(value)) throw new UsageError(`${flag} "${value}": give an image reference, e.g. registry.example/hbench-worker:1.0`);
  }
  for (const [key, value] of Object.entries(spec.dindResources)) {
    if (!RESOURCE_NAMES.includes(key) || !QUANTITY.test(value)) throw new UsageError(`--resources: ${key}=${value} is not a resource request Kubernetes takes`);
  }
}

/** The objects to apply: the Indexed Job of the shards, then (unless left out) the merge Job. */
export function k8sJobObjects(spec: K8sJobSpec): KubeObject[] {
  checkK8sJobSpec(spec);
  return spec.merge ? [shardJob(spec), mergeJob(spec)] : [shardJob(spec)];
}

/** The manifest as `kubectl apply -f` reads it: YAML documents, headed by how to use it. */
export function renderManifest(spec: K8sJobSpec): string {
  const objects = k8sJobObjects(spec);
  const ns = spec.namespace ? ` -n ${spec.namespace}` : '';
  const last = spec.merge ? `${spec.name}-merge` : spec.name;
  const head = [
    `# hbench run ${spec.runId}: ${spec.shards} shard(s), ${spec.parallelism} at once, results on PVC ${spec.pvc} (Kubernetes >= 1.29).`,
    `#   kubectl apply${ns} -f THIS_FILE`,
    `#   kubectl wait${ns} --for=condition=complete --timeout=24h job/${last}`,
    spec.merge
      ? `# Merged results: ${RESULTS_MOUNT}/${spec.runId} on the volume; shards: ${RESULTS_MOUNT}/${shardFolderName(spec.runId, { index: 1, total: spec.shards })} ...`
      : `# Then merge on the volume: hbench merge ${mergeFolders(spec).join(' ')} --out ${RESULTS_MOUNT}/${spec.runId}`,
  ];
  return `${head.join('\n')}\n${objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('')}`;
}

function shardJob(spec: K8sJobSpec): KubeObject {
  const labels = labelsOf(spec, 'shard');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(spec, spec.name, labels),
    spec: {
      completionMode: 'Indexed',
      completions: spec.shards,
      parallelism: spec.parallelism,
      backoffLimitPerIndex: spec.retries,
      // A replacement pod starts only once the old one is gone: never two pods writing one shard folder.
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          // Bad input fails every shard alike: stop the whole Job instead of retrying each index.
          { action: 'FailJob', onExitCodes: { containerName: 'hbench', operator: 'In', values: [EXIT_USAGE] } },
          // A pod evicted or preempted did nothing wrong: its retry does not count.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          // Required by podFailurePolicy and backoffLimitPerIndex; a retry is a new pod that resumes the folder.
          restartPolicy: 'Never',
          // hbench stops running trials, removes their containers and marks the shard interrupted on SIGTERM.
          terminationGracePeriodSeconds: 120,
          initContainers: [dindSidecar(spec)],
          containers: [
            {
              name: 'hbench',
              image: spec.image,
              command: ['/bin/sh', '-c', shardScript(spec)],
              env: [
                { name: 'DOCKER_HOST', value: DOCKER_HOST },
                { name: 'HBENCH_RESULTS_DIR', value: RESULTS_MOUNT },
                { name: 'HBENCH_CACHE_DIR', value: CACHE_DIR },
              ],
              ...(spec.envFromSecrets.length ? { envFrom: spec.envFromSecrets.map((name) => ({ secretRef: { name } })) } : {}),
              // The engine's bridges live in the pod's network namespace, which this container shares: hbench's host
              // firewall rules (gateway containers reach only the gateway's ports) are set from here.
              securityContext: { capabilities: { add: ['NET_ADMIN'] } },
              volumeMounts: [
                { name: 'results', mountPath: RESULTS_MOUNT },
                { name: 'docker-socket', mountPath: SOCKET_DIR },
                { name: 'hbench-cache', mountPath: CACHE_DIR },
              ],
            },
          ],
          volumes: [
            { name: 'results', persistentVolumeClaim: { claimName: spec.pvc } },
            { name: 'docker-socket', emptyDir: {} },
            { name: 'docker-data', emptyDir: {} },
            { name: 'hbench-cache', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/**
 * The pod's own Docker engine as a native sidecar (an init container that keeps running): it is ready before hbench
 * starts (startup probe) and is stopped after hbench exits, so the pod completes. It listens only on a socket in a
 * volume the two containers share: nothing else in the cluster reaches it.
 */
function dindSidecar(spec: K8sJobSpec): Record<string, unknown> {
  return {
    name: 'dind',
    image: spec.dindImage,
    restartPolicy: 'Always',
    args: ['dockerd', `--host=${DOCKER_HOST}`],
    securityContext: { privileged: true },
    startupProbe: { exec: { command: ['docker', `--host=${DOCKER_HOST}`, 'version'] }, periodSeconds: 2, failureThreshold: 150 },
    ...(Object.keys(spec.dindResources).length ? { resources: { requests: spec.dindResources } } : {}),
    volumeMounts: [
      { name: 'docker-socket', mountPath: SOCKET_DIR },
      { name: 'docker-data', mountPath: '/var/lib/docker' },
      { name: 'hbench-cache', mountPath: CACHE_DIR },
    ],
  };
}

function mergeJob(spec: K8sJobSpec): KubeObject {
  const labels = labelsOf(spec, 'merge');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(spec, `${spec.name}-merge`, labels),
    spec: {
      completions: 1,
      backoffLimit: 3,
      activeDeadlineSeconds: spec.mergeTimeoutSeconds,
      // Shards of different runs, or a merged folder in the way, stay so on a retry.
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'merge', operator: 'In', values: [EXIT_USAGE] } }] },
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'merge',
              image: spec.image,
              command: ['/bin/sh', '-c', mergeScript(spec)],
              env: [
                { name: 'HBENCH_RESULTS_DIR', value: RESULTS_MOUNT },
                { name: 'HBENCH_MERGE_POLL_SECONDS', value: String(MERGE_POLL_SECONDS) },
              ],
              resources: { requests: { cpu: '100m', memory: '256Mi' } },
              volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT }],
            },
          ],
          volumes: [{ name: 'results', persistentVolumeClaim: { claimName: spec.pvc } }],
        },
      },
    },
  };
}

function labelsOf(spec: K8sJobSpec, component: 'shard' | 'merge'): Record<string, string> {
  return { 'app.kubernetes.io/name': 'harness-bench', 'app.kubernetes.io/instance': spec.name, 'app.kubernetes.io/component': component };
}

function metadata(spec: K8sJobSpec, name: string, labels: Record<string, string>): KubeObject['metadata'] {
  return {
    name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels,
    // Label values allow fewer characters than run ids do.
    annotations: { 'hbench.dev/run-id': spec.runId },
  };
}

/** Reads a run.json's status with the worker's own node (no jq in the image): `none` when there is none. */
const RUN_STATUS_FN = `run_status() {
  node -e 'try { process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).status)) } catch { process.stdout.write("none") }' "$1"
}`;

/**
 * The shard pod's command (POSIX sh). Index i runs shard i+1; when the shard's folder already holds a run (a retried
 * pod), it resumes it, so nothing recorded is run twice.
 */
export function shardScript(spec: K8sJobSpec): string {
  const n = spec.shards;
  const run = safeRunId(spec.runId);
  return `# Pod JOB_COMPLETION_INDEX of the Indexed Job runs shard JOB_COMPLETION_INDEX+1 of ${n}; a retried pod resumes it.
set -u
: "\${JOB_COMPLETION_INDEX:?is set by Kubernetes in the pods of an Indexed Job}"
results="\${HBENCH_RESULTS_DIR:?the mount path of the results volume}"
shard=$((JOB_COMPLETION_INDEX + 1))
dir="$results/${run}.shard-$shard-of-${n}"
${RUN_STATUS_FN}
if [ -f "$dir/run.json" ]; then
  echo "shard $shard/${n}: resuming $dir"
  set -- hbench run --resume "$dir"${args(spec.resumeArgs)}
else
  echo "shard $shard/${n}: starting run ${run}"
  set -- hbench run --shard "$shard/${n}" --run-id ${run} --out "$results"${args(spec.runArgs)}
fi
# hbench runs as a child, not exec'd, to read its exit code below; the pod's SIGTERM is passed on so it stops gracefully.
child=
trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; fi' TERM INT
"$@" &
child=$!
code=0
wait "$child" || code=$?
while kill -0 "$child" 2>/dev/null; do code=0; wait "$child" || code=$?; done
# Exit 1 from a completed shard: some trials ended in infrastructure errors. They are recorded and a retry would resume
# nothing, so the index succeeds and the merged results report them.
if [ "$code" -eq 1 ] && [ "$(run_status "$dir/run.json")" = completed ]; then
  echo "shard $shard/${n}: completed; some trials had infrastructure errors (recorded in $dir)" >&2
  exit 0
fi
exit "$code"
`;
}

/**
 * The merge pod's command (POSIX sh): waits until every shard's run.json says `completed`, then merges them into
 * `<results>/<run-id>`. Done once: a merged folder that exists is left as it is.
 */
export function mergeScript(spec: K8sJobSpec): string {
  const n = spec.shards;
  const run = safeRunId(spec.runId);
  return `# Waits for the ${n} shard(s) of run ${spec.runId} on the volume, then merges them.
set -u
results="\${HBENCH_RESULTS_DIR:?the mount path of the results volume}"
out="$results/${run}"
${RUN_STATUS_FN}
if [ -f "$out/run.json" ]; then
  echo "run ${run} is already merged into $out (delete that folder to merge again)"
  exit 0
fi
set --
shard=1
while [ "$shard" -le ${n} ]; do
  dir="$results/${run}.shard-$shard-of-${n}"
  if [ "$(run_status "$dir/run.json")" != completed ]; then
    echo "waiting for shard $shard/${n} ($dir)"
    until [ "$(run_status "$dir/run.json")" = completed ]; do sleep "\${HBENCH_MERGE_POLL_SECONDS:-${MERGE_POLL_SECONDS}}"; done
  fi
  set -- "$@" "$dir"
  shard=$((shard + 1))
done
code=0
hbench merge "$@" --out "$out"${args(spec.mergeArgs)} || code=$?
# As for a shard: exit 1 with the merged run complete means trials with infrastructure errors, which it reports.
if [ "$code" -eq 1 ] && [ "$(run_status "$out/run.json")" = completed ]; then exit 0; fi
exit "$code"
`;
}

function mergeFolders(spec: K8sJobSpec): string[] {
  return Array.from({ length: spec.shards }, (_, i) => `${RESULTS_MOUNT}/${shardFolderName(spec.runId, { index: i + 1, total: spec.shards })}`);
}

/** Run ids are letters, digits, ".", "_" and "-" (as hbench run requires): words the scripts can hold as they are. */
function safeRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) throw new UsageError(`--run-id "${runId}": use letters, digits, ".", "_" and "-"`);
  return runId;
}

function args(list: string[]): string {
  return list.map((a) => ` ${shellQuote(a)}`).join('');
}

/** One word for POSIX sh: as it is when it is safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { runCli, tempDir } from '../test-support/cli.js';
import { k8sJobObjects, renderManifest, type K8sJobSpec } from './k8s-job.js';

const SPEC: K8sJobSpec = {
  name: 'hbench-nightly-7',
  namespace: 'bench',
  runId: 'nightly-7',
  shards: 3,
  parallelism: 2,
  image: 'registry.example/hbench-worker:1.0',
  dindImage: 'docker:27-dind',
  pvc: 'hbench-results',
  dindResources: { cpu: '4', memory: '8Gi' },
  retries: 2,
  runArgs: ['--tasks', 'tasks', '--harness', 'baseline', '--harness', "it's mine", '--trials', '5', '--concurrency', '3'],
  resumeArgs: ['--concurrency', '3'],
  mergeArgs: ['--errors-as-failures'],
  envFromSecrets: ['model-keys'],
  merge: true,
  mergeTimeoutSeconds: 3600,
};

type Obj = Record<string, any>;

/** The documents of a manifest as kubectl reads them. */
function documents(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

/**
 * Problems with a Kubernetes object against the API's own types (the generated models of @kubernetes/client-node):
 * a field the type does not have (a typo, a wrong level) or a value of the wrong JSON type.
 */
function apiTypeErrors(obj: Obj): string[] {
  const type = `${obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[1].replace(/^./, (c: string) => c.toUpperCase()) : 'V1'}${obj.kind}`;
  return typeErrors(obj, type, obj.kind);
}

function typeErrors(value: unknown, type: string, at: string): string[] {
  if (value === undefined || value === null) return [];
  if (type.startsWith('Array<')) {
    if (!Array.isArray(value)) return [`${at}: expected a list (${type})`];
    return value.flatMap((v, i) => typeErrors(v, type.slice(6, -1), `${at}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => typeErrors(v, map[1]!, `${at}.${k}`));
  }
  switch (type) {
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected true or false, got ${JSON.stringify(value)}`];
    case 'IntOrString':
      return typeof value === 'string' || typeof value === 'number' ? [] : [`${at}: expected a number or string`];
    case 'any':
      return [];
  }
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => { baseName: string; type: string }[] }>)[type];
  if (!model?.getAttributeTypeMap) return [`${at}: ${type} is not a Kubernetes API type`];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object (${type})`];
  const fields = model.getAttributeTypeMap();
  return Object.entries(value).flatMap(([k, v]) => {
    const field = fields.find((f) => f.baseName === k);
    return field ? typeErrors(v, field.type, `${at}.${k}`) : [`${at}.${k}: not a field of ${type}`];
  });
}

/** The object after the client's typed deserialise → serialise: unknown fields are dropped on the way. */
function roundTrip(doc: Obj): Obj {
  const typed = k8s.loadYaml<object>(stringify(doc));
  return parse(k8s.dumpYaml(typed)) as Obj;
}

/** What the API server checks for an Indexed Job of this shape, beyond field types. */
function indexedJobProblems(job: Obj): string[] {
  const out: string[] = [];
  const spec = job.spec ?? {};
  const pod = spec.template?.spec ?? {};
  if (spec.completionMode !== 'Indexed') out.push('completionMode is not Indexed');
  if (!Number.isInteger(spec.completions) || spec.completions < 1) out.push('completions must be set for an Indexed Job');
  if (spec.parallelism > spec.completions) out.push('parallelism exceeds completions');
  if (!['Never', 'OnFailure'].includes(pod.restartPolicy)) out.push(`restartPolicy ${pod.restartPolicy}: a Job's pods need Never or OnFailure`);
  if ((spec.backoffLimitPerIndex !== undefined || spec.podFailurePolicy) && pod.restartPolicy !== 'Never') out.push('backoffLimitPerIndex and podFailurePolicy need restartPolicy Never');
  if (spec.podFailurePolicy && spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== 'Failed') out.push('podFailurePolicy needs podReplacementPolicy Failed');
  const containers: Obj[] = pod.containers ?? [];
  const all = [...(pod.initContainers ?? []), ...containers];
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    const name = rule.onExitCodes?.containerName;
    if (name && !all.some((c) => c.name === name)) out.push(`podFailurePolicy names container ${name}, which the pod does not have`);
  }
  const names = all.map((c) => c.name);
  if (new Set(names).size !== names.length) out.push('container names repeat');
  const volumes = new Set((pod.volumes ?? []).map((v: Obj) => v.name));
  for (const c of all) for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) out.push(`${c.name} mounts ${m.name}, which is not a volume of the pod`);
  for (const c of pod.initContainers ?? []) if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') out.push(`init container ${c.name}: restartPolicy may only be Always (a sidecar)`);
  if (containers.length === 0) out.push('no containers');
  return out;
}

function validate(doc: Obj): string[] {
  const errors = apiTypeErrors(doc);
  try {
    expect(roundTrip(doc)).toEqual(doc);
  } catch {
    errors.push('the typed round trip changed the object');
  }
  return errors;
}

const shardJobOf = (docs: Obj[]) => docs.find((d) => d.spec.completionMode === 'Indexed')!;
const mergeJobOf = (docs: Obj[]) => docs.find((d) => d.metadata.name.endsWith('-merge'))!;
const containerOf = (job: Obj, name: string) => [...(job.spec.template.spec.initContainers ?? []), ...job.spec.template.spec.containers].find((c: Obj) => c.name === name)!;

describe('the manifest of a sharded run', () => {
  const docs = documents(renderManifest(SPEC));

  it('is two batch/v1 Jobs that the Kubernetes API types take field for field', () => {
    expect(docs.map((d) => [d.apiVersion, d.kind, d.metadata.name, d.metadata.namespace])).toEqual([
      ['batch/v1', 'Job', 'hbench-nightly-7', 'bench'],
      ['batch/v1', 'Job', 'hbench-nightly-7-merge', 'bench'],
    ]);
    for (const doc of docs) {
      expect(apiTypeErrors(doc)).toEqual([]);
      expect(k8s.loadYaml(stringify(doc))).toBeInstanceOf(k8s.V1Job);
      expect(roundTrip(doc)).toEqual(doc);
    }
    // What renderManifest printed is what the builder made.
    expect(docs).toEqual(JSON.parse(JSON.stringify(k8sJobObjects(SPEC))));
  });

  it('the validator fails broken manifests: typos, wrong types, wrong kinds, rules the API server enforces', () => {
    const job = shardJobOf(docs);
    const broken = (edit: (j: Obj) => void) => {
      const copy = structuredClone(job);
      edit(copy);
      return copy;
    };
    const typo = broken((j) => {
      j.spec.completionsMode = j.spec.completionMode;
      delete j.spec.completionMode;
    });
    expect(apiTypeErrors(typo)).toEqual(['Job.spec.completionsMode: not a field of V1JobSpec']);
    expect(validate(typo)).toContain('the typed round trip changed the object');
    expect(indexedJobProblems(typo)).toContain('completionMode is not Indexed');
    const nested = broken((j) => (j.spec.template.spec.initContainers[0].restartPolicyy = 'Always'));
    expect(validate(nested)).toEqual(['Job.spec.template.spec.initContainers[0].restartPolicyy: not a field of V1Container', 'the typed round trip changed the object']);
    expect(apiTypeErrors(broken((j) => (j.spec.parallelism = '2')))).toEqual(['Job.spec.parallelism: expected a number, got "2"']);
    expect(apiTypeErrors(broken((j) => (j.spec.template.spec.containers[0].env = { DOCKER_HOST: 'x' })))).toEqual(['Job.spec.template.spec.containers[0].env: expected a list (Array<V1EnvVar>)']);
    expect(apiTypeErrors(broken((j) => (j.kind = 'Jobs')))).toEqual(['Jobs: V1Jobs is not a Kubernetes API type']);
    expect(indexedJobProblems(broken((j) => (j.spec.template.spec.restartPolicy = 'Always')))).toEqual([
      "restartPolicy Always: a Job's pods need Never or OnFailure",
      'backoffLimitPerIndex and podFailurePolicy need restartPolicy Never',
    ]);
    expect(indexedJobProblems(broken((j) => j.spec.template.spec.volumes.shift()))).toEqual(['hbench mounts results, which is not a volume of the pod']);
    expect(indexedJobProblems(broken((j) => (j.spec.podFailurePolicy.rules[0].onExitCodes.containerName = 'worker')))).toEqual(['podFailurePolicy names container worker, which the pod does not have']);
  });

  it('is an Indexed Job: N completions, P at once, retries per index, SIGTERM-safe replacement', () => {
    const job = shardJobOf(docs);
    expect(indexedJobProblems(job)).toEqual([]);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2, backoffLimitPerIndex: 2, podReplacementPolicy: 'Failed' });
    expect(job.spec.backoffLimit).toBeUndefined();
    expect(job.spec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'hbench', operator: 'In', values: [2] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ]);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('gives each pod its own Docker engine: a privileged native sidecar on a socket only the pod shares', () => {
    const pod = shardJobOf(docs).spec.template.spec;
    const dind = containerOf(shardJobOf(docs), 'dind');
    const hbench = containerOf(shardJobOf(docs), 'hbench');
    expect(dind).toMatchObject({ image: 'docker:27-dind', restartPolicy: 'Always', securityContext: { privileged: true }, resources: { requests: { cpu: '4', memory: '8Gi' } } });
    expect(dind.args).toEqual(['dockerd', '--host=unix:///run/hbench-docker/docker.sock']);
    expect(dind.args.join(' ')).not.toMatch(/tcp:/);
    expect(dind.startupProbe.exec.command).toEqual(['docker', '--host=unix:///run/hbench-docker/docker.sock', 'version']);
    const env = Object.fromEntries(hbench.env.map((e: Obj) => [e.name, e.value]));
    expect(env.DOCKER_HOST).toBe('unix:///run/hbench-docker/docker.sock');
    const mountOf = (c: Obj, volume: string) => c.volumeMounts.find((m: Obj) => m.name === volume)?.mountPath;
    expect(mountOf(hbench, 'docker-socket')).toBe(mountOf(dind, 'docker-socket'));
    // Paths hbench bind-mounts into trial containers must exist where the engine runs: the cache is one volume at one path.
    expect(mountOf(hbench, 'hbench-cache')).toBe(env.HBENCH_CACHE_DIR);
    expect(mountOf(dind, 'hbench-cache')).toBe(env.HBENCH_CACHE_DIR);
    expect(mountOf(dind, 'docker-data')).toBe('/var/lib/docker');
    expect(pod.volumes.find((v: Obj) => v.name === 'results')).toEqual({ name: 'results', persistentVolumeClaim: { claimName: 'hbench-results' } });
    expect(mountOf(hbench, 'results')).toBe('/results');
    expect(env.HBENCH_RESULTS_DIR).toBe('/results');
    expect(hbench.envFrom).toEqual([{ secretRef: { name: 'model-keys' } }]);
    expect(hbench.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(hbench.command[2]).toContain('JOB_COMPLETION_INDEX + 1');
  });

  it('the merge Job mounts the same claim and waits for the shards within its deadline', () => {
    const merge = mergeJobOf(docs);
    expect(merge.spec).toMatchObject({ completions: 1, activeDeadlineSeconds: 3600 });
    expect(merge.spec.podFailurePolicy.rules).toEqual([{ action: 'FailJob', onExitCodes: { containerName: 'merge', operator: 'In', values: [2] } }]);
    expect(indexedJobProblems({ ...merge, spec: { ...merge.spec, completionMode: 'Indexed' } })).toEqual([]);
    expect(merge.spec.template.spec.restartPolicy).toBe('Never');
    expect(merge.spec.template.spec.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'hbench-results' } }]);
    expect(containerOf(merge, 'merge').image).toBe(SPEC.image);
    const noMerge = documents(renderManifest({ ...SPEC, merge: false, namespace: null }));
    expect(noMerge).toHaveLength(1);
    expect(noMerge[0]!.metadata.namespace).toBeUndefined();
  });

  it('refuses specs Kubernetes would refuse, in one line each', () => {
    expect(() => k8sJobObjects({ ...SPEC, parallelism: 4 })).toThrow('--parallelism must be a whole number from 1 to 3 (got 4)');
    expect(() => k8sJobObjects({ ...SPEC, shards: 0 })).toThrow(/--shards must be a whole number from 1/);
    expect(() => k8sJobObjects({ ...SPEC, name: 'Hbench_7' })).toThrow(/--name "Hbench_7": a Job name is lower-case/);
    expect(() => k8sJobObjects({ ...SPEC, name: 'x'.repeat(58) })).toThrow(/at most 57 characters/);
    expect(() => k8sJobObjects({ ...SPEC, pvc: 'Results' })).toThrow(/--pvc "Results": not a Kubernetes object name/);
    expect(() => k8sJobObjects({ ...SPEC, runId: 'a b' })).toThrow(/--run-id "a b"/);
    expect(() => k8sJobObjects({ ...SPEC, image: '' })).toThrow(/--image "": give an image reference/);
    expect(() => k8sJobObjects({ ...SPEC, dindResources: { gpu: '1' } })).toThrow(/--resources: gpu=1/);
  });
});

/** A stand-in `hbench` on PATH: logs its arguments and makes the folders the real one would. */
const STUB = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
const log = (entry) => fs.appendFileSync(process.env.STUB_LOG, JSON.stringify(entry) + '\\n');
const opt = (name) => argv[argv.indexOf(name) + 1];
log({ argv, index: process.env.JOB_COMPLETION_INDEX ?? null });
let dir;
if (argv[0] === 'merge') dir = opt('--out');
else if (argv.includes('--resume')) dir = opt('--resume');
else {
  const [i, n] = opt('--shard').split('/');
  dir = path.join(opt('--out'), opt('--run-id') + '.shard-' + i + '-of-' + n);
}
fs.mkdirSync(dir, { recursive: true });
const status = (s) => fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ status: s }, null, 2));
status(process.env.STUB_STATUS || 'completed');
if (process.env.STUB_WAIT) {
  status('running');
  process.on('SIGTERM', () => { log({ signal: 'SIGTERM' }); status('interrupted'); process.exit(130); });
  setTimeout(() => process.exit(0), 60000);
} else process.exitCode = Number(process.env.STUB_EXIT || 0);
`;

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the pod commands, executed', () => {
  const docs = documents(renderManifest(SPEC));
  const shardContainer = containerOf(shardJobOf(docs), 'hbench');
  const mergeContainer = containerOf(mergeJobOf(docs), 'merge');
  let root: string;
  let bin: string;

  beforeAll(async () => {
    root = await tempDir('hbench-k8s-');
    bin = path.join(root, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'hbench'), STUB);
    await chmod(path.join(bin, 'hbench'), 0o755);
  });

  /** Runs a container's `sh -c` script the way the pod would, with the container's env, the volume at `results`. */
  function start(container: Obj, shell: string, results: string, env: Record<string, string | undefined>) {
    const log = path.join(results, '..', 'stub.log');
    const podEnv = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
    // The script finds the volume through HBENCH_RESULTS_DIR, which the manifest sets to the claim's mount path.
    expect(podEnv.HBENCH_RESULTS_DIR).toBe(container.volumeMounts.find((m: Obj) => m.name === 'results').mountPath);
    const child = spawn(shell, ['-c', container.command[2]], {
      env: { PATH: `${bin}:${process.env.PATH}`, ...podEnv, HBENCH_RESULTS_DIR: results, STUB_LOG: log, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const done = new Promise<ScriptRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    const calls = async (): Promise<Obj[]> => (existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    return { child, done, calls, output: () => stdout };
  }

  it.each(['bash', 'sh'])('parse with %s -n, and a broken script does not', (shell) => {
    for (const c of [shardContainer, mergeContainer]) {
      const r = spawnSync(shell, ['-n'], { input: c.command[2] });
      expect(r.status, r.stderr.toString()).toBe(0);
    }
    expect(spawnSync(shell, ['-n'], { input: shardContainer.command[2].replace(/\nfi\n/, '\n') }).status).not.toBe(0);
  });

  describe.each(['sh', 'bash'])('with %s', (shell) => {
    let results: string;
    beforeAll(async () => {
      results = path.join(await tempDir('hbench-k8s-'), 'results');
      await mkdir(results);
    });

    it('index i starts shard i+1/N with the run options; a retried pod resumes its folder instead', async () => {
      const fresh: Obj[] = [];
      for (let i = 0; i < SPEC.shards; i++) {
        const s = start(shardContainer, shell, results, { JOB_COMPLETION_INDEX: String(i) });
        const r = await s.done;
        expect(r.code, r.stderr).toBe(0);
        fresh.push((await s.calls()).at(-1)!);
      }
      expect(fresh).toEqual(
        [1, 2, 3].map((shard, i) => ({ index: String(i), argv: ['run', '--shard', `${shard}/3`, '--run-id', 'nightly-7', '--out', results, ...SPEC.runArgs] })),
      );
      for (const shard of [1, 2, 3]) expect(existsSync(path.join(results, `nightly-7.shard-${shard}-of-3`, 'run.json'))).toBe(true);

      for (let i = 0; i < SPEC.shards; i++) {
        const s = start(shardContainer, shell, results, { JOB_COMPLETION_INDEX: String(i) });
        const r = await s.done;
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`shard ${i + 1}/3: resuming`);
        expect((await s.calls()).at(-1)).toEqual({ index: String(i), argv: ['run', '--resume', path.join(results, `nightly-7.shard-${i + 1}-of-3`), '--concurrency', '3'] });
      }
    });

    it('exit codes: 1 on a completed shard succeeds (errors are recorded; a retry would run nothing), others pass through', async () => {
      const exit = async (env: Record<string, string>) => (await start(shardContainer, shell, results, { JOB_COMPLETION_INDEX: '0', ...env }).done).code;
      expect(await exit({ STUB_EXIT: '1' })).toBe(0);
      expect(await exit({ STUB_EXIT: '1', STUB_STATUS: 'failed' })).toBe(1);
      expect(await exit({ STUB_EXIT: '2' })).toBe(2);
      expect(await exit({ STUB_EXIT: '3' })).toBe(3);
    });

    it("passes the pod's SIGTERM on to hbench and exits with its code", async () => {
      const s = start(shardContainer, shell, results, { JOB_COMPLETION_INDEX: '1', STUB_WAIT: '1' });
      const before = (await s.calls()).length;
      const deadline = Date.now() + 10_000;
      while ((await s.calls()).length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // The stub has started; give it a moment to set its handler.
      await new Promise((r) => setTimeout(r, 300));
      s.child.kill('SIGTERM');
      const r = await s.done;
      expect(r.code).toBe(130);
      expect((await s.calls()).at(-1)).toEqual({ signal: 'SIGTERM' });
      const record = JSON.parse(await readFile(path.join(results, 'nightly-7.shard-2-of-3', 'run.json'), 'utf8'));
      expect(record.status).toBe('interrupted');
    });

    it('refuses to run outside an Indexed Job', async () => {
      const s = start(shardContainer, shell, results, { JOB_COMPLETION_INDEX: undefined });
      const before = (await s.calls()).length;
      const r = await s.done;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/JOB_COMPLETION_INDEX.*Indexed Job/);
      expect((await s.calls()).length).toBe(before);
    });

    it('merge waits until every shard is completed, merges them in order, and only once', async () => {
      const dir = path.join(await tempDir('hbench-k8s-'), 'results');
      for (const shard of [1, 2, 3]) {
        await mkdir(path.join(dir, `nightly-7.shard-${shard}-of-3`), { recursive: true });
        await writeFile(path.join(dir, `nightly-7.shard-${shard}-of-3`, 'run.json'), JSON.stringify({ status: shard === 2 ? 'running' : 'completed' }));
      }
      const s = start(mergeContainer, shell, dir, { HBENCH_MERGE_POLL_SECONDS: '0.1' });
      await new Promise((r) => setTimeout(r, 800));
      expect(s.child.exitCode).toBeNull();
      expect(s.output()).toContain('waiting for shard 2/3');
      expect(await s.calls()).toEqual([]);
      await writeFile(path.join(dir, 'nightly-7.shard-2-of-3', 'run.json'), JSON.stringify({ status: 'completed' }));
      const r = await s.done;
      expect(r.code, r.stderr).toBe(0);
      const shards = [1, 2, 3].map((i) => path.join(dir, `nightly-7.shard-${i}-of-3`));
      expect(await s.calls()).toEqual([{ index: null, argv: ['merge', ...shards, '--out', path.join(dir, 'nightly-7'), '--errors-as-failures'] }]);
      const again = start(mergeContainer, shell, dir, {});
      expect((await again.done).code).toBe(0);
      expect(again.output()).toContain('already merged');
      expect(await again.calls()).toHaveLength(1);
    });

    it('merge: exit 1 with the merged run completed succeeds (errors are in it); other failures fail', async () => {
      const exit = async (env: Record<string, string>) => {
        const dir = path.join(await tempDir('hbench-k8s-'), 'results');
        for (const shard of [1, 2, 3]) {
          await mkdir(path.join(dir, `nightly-7.shard-${shard}-of-3`), { recursive: true });
          await writeFile(path.join(dir, `nightly-7.shard-${shard}-of-3`, 'run.json'), JSON.stringify({ status: 'completed' }));
        }
        return (await start(mergeContainer, shell, dir, env).done).code;
      };
      expect(await exit({ STUB_EXIT: '1' })).toBe(0);
      expect(await exit({ STUB_EXIT: '1', STUB_STATUS: 'interrupted' })).toBe(1);
      expect(await exit({ STUB_EXIT: '2', STUB_STATUS: 'none' })).toBe(2);
    });
  });
});

describe('hbench k8s-job (the CLI)', () => {
  const base = ['k8s-job', '--run-id', 'nightly-7', '--shards', '4', '--image', 'registry.example/hbench:1', '--pvc', 'hbench-results'];

  it('writes the manifest of the run options after --, and checks them as hbench run would', async () => {
    const r = await runCli([...base, '--parallelism', '2', '--resources', 'cpu=2,memory=4Gi', '--', '--harness', 'oracle', '--harness', 'nop', '--trials', '2', '--concurrency', '6', '--shard-by', 'trial']);
    expect(r.code, r.stderr).toBe(0);
    const docs = documents(r.stdout);
    for (const doc of docs) expect(validate(doc)).toEqual([]);
    const job = shardJobOf(docs);
    expect(job.spec).toMatchObject({ completions: 4, parallelism: 2 });
    expect(job.metadata).toMatchObject({ name: 'hbench-nightly-7', annotations: { 'hbench.dev/run-id': 'nightly-7' } });
    const script = containerOf(job, 'hbench').command[2];
    expect(script).toContain('set -- hbench run --shard "$shard/4" --run-id nightly-7 --out "$results" --harness oracle --harness nop --trials 2 --concurrency 6 --shard-by trial\n');
    expect(script).toContain('set -- hbench run --resume "$dir" --concurrency 6\n');
    const defaults = documents((await runCli([...base, '--', '--harness', 'nop'])).stdout);
    expect(shardJobOf(defaults).spec.parallelism).toBe(4);
  });

  it('writes to --out; --no-merge leaves the merge Job out', async () => {
    const file = path.join(await tempDir(), 'job.yaml');
    const r = await runCli([...base, '--no-merge', '--out', file, '--', '--harness', 'nop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${file}: kubectl apply -f ${file}\n`);
    const text = await readFile(file, 'utf8');
    expect(documents(text)).toHaveLength(1);
    expect(text).toMatch(/hbench merge \/results\/nightly-7\.shard-1-of-4 .* \/results\/nightly-7\.shard-4-of-4 --out \/results\/nightly-7/);
  });

  it.each([
    [['--', '--harness', 'nop', '--out', 'x'], /after --: drop --out; k8s-job sets --shard, --run-id, --out and --resume/],
    [['--', '--harnes', 'nop'], /after --: Unknown argument: harnes/],
    [['--', '--harness', 'nop', '--engine', 'swarm', '--workers', '3'], /after --: drop --engine, --workers; in Kubernetes each shard pod runs on its own Docker engine/],
    [['--', '--trials', '2'], /name at least one harness/],
    [['--', '--harness', 'nop', '--trials', '0'], /--trials must be a whole number/],
    [['--parallelism', '5', '--', '--harness', 'nop'], /--parallelism must be a whole number from 1 to 4 \(got 5\)/],
    [['--resources', 'cpu=lots', '--', '--harness', 'nop'], /--resources: cpu=lots is not a Kubernetes quantity/],
    [['--name', 'My_Job', '--', '--harness', 'nop'], /--name "My_Job"/],
  ])('usage errors exit 2 with one line: %j', async (extra, message) => {
    const r = await runCli([...base, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });

  it('a missing required option exits 2', async () => {
    const r = await runCli(['k8s-job', '--run-id', 'x', '--shards', '2', '--pvc', 'p', '--', '--harness', 'nop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: image/);
  });
});

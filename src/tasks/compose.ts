/**
 * A task's docker-compose.yaml (Harbor's `environment/docker-compose.yaml`, Terminal-Bench 1's at the task root),
 * resolved into the services hbench starts itself on the Docker API — no `docker compose` binary needed. The subset
 * honoured is the one benchmark tasks use (see HONOURED); every other key is reported as unhonoured, never dropped
 * silently.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TaskError } from '../common/errors.js';
import { isDir, isFile } from '../common/files.js';
import { InterpolationError, interpolate, parseDuration, parseMemoryMb, splitCommand } from './compose-interpolate.js';
import { hashTree } from './hash.js';
import { readTaskFile } from './read-task-file.js';
import { parseTaskYaml } from './yaml-file.js';
import type { ComposeService, ServiceDependency, ServiceHealthcheck, TaskEnvironment, TaskEnvironmentSource } from './task.js';
import { taskErrorFromZod } from './zod-issues.js';

/** The image name a compose file's `${MAIN_IMAGE_NAME}`-style variables stand for: "the task's own image". */
export const OWN_IMAGE = 'hbench-task-image';

/**
 * What Harbor sets when it runs a task's compose file. The host-side log paths only ever appear in the main service's
 * log mounts, which hbench does not make (it copies logs out itself), so they name a stand-in.
 */
export function harborComposeVariables(envDir: string, cpus: number, memoryMb: number): Record<string, string> {
  return {
    MAIN_IMAGE_NAME: OWN_IMAGE,
    PREBUILT_IMAGE_NAME: OWN_IMAGE,
    CONTEXT_DIR: envDir,
    TEST_DIR: '/tests',
    ENV_VERIFIER_LOGS_PATH: '/logs/verifier',
    ENV_AGENT_LOGS_PATH: '/logs/agent',
    ENV_ARTIFACTS_PATH: '/logs/artifacts',
    HOST_VERIFIER_LOGS_PATH: '/nonexistent/hbench/verifier',
    HOST_AGENT_LOGS_PATH: '/nonexistent/hbench/agent',
    HOST_ARTIFACTS_PATH: '/nonexistent/hbench/artifacts',
    CPUS: String(cpus),
    MEMORY: `${memoryMb}M`,
  };
}

/** What Terminal-Bench 1's harness sets when it runs a task's compose file. */
export function tb1ComposeVariables(taskId: string): Record<string, string> {
  const prefix = `hbench-tb1-${taskId.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}`;
  return {
    T_BENCH_TASK_DOCKER_CLIENT_IMAGE_NAME: OWN_IMAGE,
    T_BENCH_TASK_DOCKER_CLIENT_CONTAINER_NAME: `${prefix}-client`,
    T_BENCH_TASK_DOCKER_NAME_PREFIX: prefix,
    T_BENCH_TEST_DIR: '/tests',
    T_BENCH_CONTAINER_LOGS_PATH: '/logs',
    T_BENCH_CONTAINER_AGENT_LOGS_PATH: '/agent-logs',
    T_BENCH_TASK_LOGS_PATH: '/nonexistent/hbench/logs',
    T_BENCH_TASK_AGENT_LOGS_PATH: '/nonexistent/hbench/agent-logs',
  };
}

const COMPOSE_FILES = ['docker-compose.yaml', 'docker-compose.yml'];

/** The compose file in `dir`, or null. */
export function composeFileIn(dir: string): string | null {
  return COMPOSE_FILES.map((f) => path.join(dir, f)).find(isFile) ?? null;
}

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const StringOrList = z.union([z.string(), z.array(z.string())]);
const ListOrMap = z.union([z.array(z.string()), z.record(z.string(), Scalar)]);
const Duration = z.union([z.string(), z.number()]);
const Condition = z.enum(['service_started', 'service_healthy', 'service_completed_successfully']);

const ServiceYaml = z.looseObject({
  build: z.union([z.string(), z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional(), args: ListOrMap.optional() })]).optional(),
  image: z.string().min(1).optional(),
  command: StringOrList.nullable().optional(),
  entrypoint: StringOrList.nullable().optional(),
  environment: ListOrMap.optional(),
  env_file: z.union([z.string(), z.array(z.union([z.string(), z.looseObject({ path: z.string(), required: z.boolean().optional() })]))]).optional(),
  working_dir: z.string().optional(),
  user: z.union([z.string(), z.number()]).optional(),
  hostname: z.string().optional(),
  container_name: z.string().optional(),
  labels: ListOrMap.optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.looseObject({ condition: Condition.optional(), required: z.boolean().optional() }).nullable())]).optional(),
  healthcheck: z
    .looseObject({
      test: StringOrList.optional(),
      interval: Duration.optional(),
      timeout: Duration.optional(),
      start_period: Duration.optional(),
      retries: z.number().int().min(0).optional(),
      disable: z.boolean().optional(),
    })
    .optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  deploy: z.looseObject({ resources: z.looseObject({ limits: z.looseObject({ cpus: z.union([z.string(), z.number()]).optional(), memory: z.union([z.string(), z.number()]).optional() }).optional() }).optional() }).optional(),
});
type ServiceYaml = z.infer<typeof ServiceYaml>;

const ComposeYaml = z.looseObject({
  services: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a service name (letters, digits, . _ -)'), ServiceYaml.nullable()),
});

/** Keys honoured on every service; the main service honours fewer (its container runs hbench's keep-alive). */
const HONOURED = new Set(['build', 'image', 'command', 'entrypoint', 'environment', 'env_file', 'working_dir', 'user', 'hostname', 'container_name', 'labels', 'depends_on', 'healthcheck', 'expose', 'deploy']);
const MAIN_HONOURED = new Set(['build', 'image', 'environment', 'env_file', 'working_dir', 'hostname', 'container_name', 'labels', 'depends_on', 'healthcheck', 'expose']);
const TOP_LEVEL_INFORMATIONAL = new Set(['version', 'name']);

export interface ComposeOptions {
  /** The service the agent runs in. */
  main: string;
  /** Harbor merges the task's file over a base that defines `main`, so it may be absent; TB1 needs its `client`. */
  mainRequired: boolean;
  /** The format's own variables (they win over the host's). */
  variables: Record<string, string>;
  hostEnv: NodeJS.ProcessEnv;
}

export interface ResolvedCompose {
  file: string;
  /** Every service, main included, in start order. A service whose image is the task's own has source `OWN_IMAGE`. */
  services: ComposeService[];
  /** The main service's own image (its `build`, or an `image` other than the task's); null = the format's default. */
  mainSource: TaskEnvironmentSource | null;
  /** Build contexts of every service (to be covered by the task's content hash). */
  contextDirs: string[];
  unhonoured: string[];
}

export async function loadCompose(file: string, o: ComposeOptions): Promise<ResolvedCompose> {
  const raw = parseTaskYaml(file, await readTaskFile(file, 'write the compose file'));
  const unhonoured = new Set<string>();
  const name = path.basename(file);
  const lookup = (v: string) => o.variables[v] ?? o.hostEnv[v];
  let substituted: unknown;
  try {
    substituted = interpolateTree(raw ?? {}, (s) => interpolate(s, lookup, (v) => unhonoured.add(`${name}: \${${v}} (not set: substituted as blank)`)));
  } catch (err) {
    if (err instanceof InterpolationError) throw new TaskError(file, undefined, err.message, 'set the variable, or give it a default: ${VAR:-value}');
    throw err;
  }
  const parsed = ComposeYaml.safeParse(substituted);
  if (!parsed.success) throw taskErrorFromZod(file, parsed.error);
  const dir = path.dirname(file);
  const declared = parsed.data.services;
  if (o.mainRequired && !(o.main in declared)) {
    throw new TaskError(file, 'services', `no "${o.main}" service`, `the agent runs in the service named "${o.main}"; add it`);
  }
  for (const key of Object.keys(parsed.data)) {
    if (key !== 'services' && !TOP_LEVEL_INFORMATIONAL.has(key) && !key.startsWith('x-')) unhonoured.add(`${name}: ${key}`);
  }

  const entries: Array<[string, ServiceYaml]> = Object.entries(declared).map(([n, s]) => [n, s ?? {}]);
  if (!entries.some(([n]) => n === o.main)) entries.push([o.main, {}]);
  const services: ComposeService[] = [];
  const contextDirs: string[] = [];
  let mainSource: TaskEnvironmentSource | null = null;
  for (const [service, s] of entries) {
    const field = `services.${service}`;
    const isMain = service === o.main;
    for (const w of unhonouredKeys(s, isMain)) unhonoured.add(`${name}: ${field}.${w}`);
    const build = s.build === undefined ? null : resolveBuild(file, dir, field, s.build);
    if (build) contextDirs.push(build.contextDir);
    let source: TaskEnvironmentSource;
    let contentHash: string;
    if (build) {
      source = build;
      contentHash = await hashTree([build.contextDir], [`dockerfile:${build.dockerfile}`, `args:${JSON.stringify(Object.entries(build.buildArgs ?? {}).sort())}`]);
    } else if (s.image && s.image !== OWN_IMAGE) {
      source = { kind: 'image', image: s.image };
      contentHash = await hashTree([], [`image:${s.image}`]);
    } else if (isMain || s.image === OWN_IMAGE) {
      source = { kind: 'image', image: OWN_IMAGE };
      contentHash = '';
    } else {
      throw new TaskError(file, field, 'has neither `build` nor `image`', 'give the service an image to run');
    }
    if (isMain && !(source.kind === 'image' && source.image === OWN_IMAGE)) mainSource = source;
    // The main container's resources are the task's own ([environment] cpus/memory), as Harbor's base file sets them.
    const limits = isMain ? undefined : s.deploy?.resources?.limits;
    services.push({
      name: service,
      aliases: [...new Set([service, s.container_name, s.hostname].filter((a): a is string => Boolean(a)))],
      source,
      contentHash,
      entrypoint: argv(s.entrypoint),
      command: argv(s.command),
      env: { ...envFiles(file, dir, field, s.env_file, lookup), ...keyValues(s.environment, lookup) },
      workdir: s.working_dir ?? null,
      user: s.user === undefined ? null : String(s.user),
      hostname: s.hostname ?? null,
      labels: keyValues(s.labels, () => ''),
      cpus: limits?.cpus === undefined ? null : positive(file, `${field}.deploy.resources.limits.cpus`, Number(limits.cpus)),
      memoryMb: limits?.memory === undefined ? null : positive(file, `${field}.deploy.resources.limits.memory`, parseMemoryMb(limits.memory)),
      dependsOn: dependencies(s.depends_on),
      healthcheck: healthcheck(file, field, s.healthcheck),
    });
  }
  return { file, services: startOrder(file, services, o.main), mainSource, contextDirs, unhonoured: [...unhonoured].sort() };
}

/**
 * The task's environment with its compose file applied: the main service's image, environment and working directory
 * (the task's own settings win), and — when there are other services — the services to start. A file with only the
 * main service keeps the single-container path (and, when it builds what the format builds anyway, the same image).
 */
export async function composeEnvironment(environment: TaskEnvironment, compose: ResolvedCompose, mainName: string): Promise<{ environment: TaskEnvironment; unhonoured: string[] }> {
  const main = compose.services.find((s) => s.name === mainName)!;
  const own = compose.mainSource && !sameSource(compose.mainSource, environment.source) ? compose.mainSource : null;
  const source = own ?? environment.source;
  const mainHash = own ? main.contentHash : environment.contentHash;
  const multi = compose.services.length > 1;
  const unhonoured = [...compose.unhonoured];
  if (!multi) {
    const name = path.basename(compose.file);
    if (main.healthcheck) unhonoured.push(`${name}: services.${mainName}.healthcheck (used only beside other services; see [environment.healthcheck])`);
    if (main.hostname) unhonoured.push(`${name}: services.${mainName}.hostname (used only beside other services)`);
    if (Object.keys(main.labels).length) unhonoured.push(`${name}: services.${mainName}.labels (used only beside other services)`);
  }
  const services = multi
    ? compose.services.map((s) => (s.source.kind === 'image' && s.source.image === OWN_IMAGE ? { ...s, source, contentHash: mainHash } : s))
    : null;
  const contentHash = multi
    ? await hashTree([], [mainHash, await readFile(compose.file, 'utf8'), ...services!.map((s) => `${s.name}:${s.contentHash}`)])
    : own
      ? await hashTree([], [environment.contentHash, main.contentHash])
      : environment.contentHash;
  return {
    environment: {
      ...environment,
      source,
      contentHash,
      env: { ...main.env, ...environment.env },
      workdir: environment.workdir ?? main.workdir,
      ...(services ? { services: { file: compose.file, main: mainName, services } } : {}),
    },
    unhonoured: unhonoured.sort(),
  };
}

function sameSource(a: TaskEnvironmentSource, b: TaskEnvironmentSource): boolean {
  if (a.kind === 'image' || b.kind === 'image') return a.kind === b.kind && a.kind === 'image' && b.kind === 'image' && a.image === b.image;
  return path.resolve(a.contextDir) === path.resolve(b.contextDir) && path.normalize(a.dockerfile) === path.normalize(b.dockerfile) && !Object.keys(a.buildArgs ?? {}).length && !Object.keys(b.buildArgs ?? {}).length;
}

/** Keys of one service that hbench reads past, with why where it is not obvious. */
function unhonouredKeys(s: ServiceYaml, isMain: boolean): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-')) continue;
    if (key === 'ports') {
      out.push('ports (not published on the host; the other services reach it by name on the trial network)');
      continue;
    }
    if (isMain) {
      // What Harbor's and TB1's own base files put on the main service: a keep-alive command, mounts of the log
      // folders (hbench copies logs out itself) and resource limits (hbench applies the task's).
      if (key === 'command' && /\bsleep\b/.test([value].flat().join(' '))) continue;
      if (key === 'command') out.push('command (the main service runs hbench\'s keep-alive; its command is not run)');
      else if (key === 'volumes') out.push(...([value].flat() as unknown[]).filter((v) => !isLogMount(v)).map((v) => `volumes ${JSON.stringify(v)}`));
      else if (key === 'deploy') out.push(...deployKeys(value).filter((k) => k !== 'resources.limits.cpus' && k !== 'resources.limits.memory').map((k) => `deploy.${k}`));
      else if (!MAIN_HONOURED.has(key)) out.push(key);
      continue;
    }
    if (key === 'deploy') out.push(...deployKeys(value).filter((k) => k !== 'resources.limits.cpus' && k !== 'resources.limits.memory').map((k) => `deploy.${k}`));
    else if (!HONOURED.has(key)) out.push(key);
  }
  const hc = s.healthcheck as Record<string, unknown> | undefined;
  for (const k of Object.keys(hc ?? {})) if (!['test', 'interval', 'timeout', 'start_period', 'retries', 'disable'].includes(k)) out.push(`healthcheck.${k}`);
  if (s.depends_on && !Array.isArray(s.depends_on)) {
    for (const [dep, spec] of Object.entries(s.depends_on)) {
      for (const [k, v] of Object.entries(spec ?? {})) if (k !== 'condition' && !(k === 'required' && v === true)) out.push(`depends_on.${dep}.${k}`);
    }
  }
  return out;
}

function isLogMount(v: unknown): boolean {
  const target = typeof v === 'string' ? v.split(':')[1] : (v as { target?: string } | null)?.target;
  return typeof target === 'string' && (target === '/agent-logs' || target === '/logs' || target.startsWith('/logs/'));
}

function deployKeys(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [at];
  return Object.entries(value).flatMap(([k, v]) => deployKeys(v, at ? `${at}.${k}` : k));
}

function resolveBuild(file: string, dir: string, field: string, build: NonNullable<ServiceYaml['build']>): TaskEnvironmentSource & { kind: 'dockerfile' } {
  const spec = typeof build === 'string' ? { context: build } : build;
  const contextDir = path.resolve(dir, spec.context ?? '.');
  if (!isDir(contextDir)) throw new TaskError(file, `${field}.build.context`, `no folder ${contextDir}`, 'the build context is relative to the compose file');
  const dockerfile = spec.dockerfile ?? 'Dockerfile';
  if (!isFile(path.resolve(contextDir, dockerfile))) throw new TaskError(file, `${field}.build.dockerfile`, `no file ${path.resolve(contextDir, dockerfile)}`, 'the Dockerfile is relative to the build context');
  const args = typeof build === 'string' ? {} : keyValues(build.args, () => undefined);
  return { kind: 'dockerfile', contextDir, dockerfile, ...(Object.keys(args).length ? { buildArgs: args } : {}) };
}

function argv(value: string | string[] | null | undefined): string[] | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value : splitCommand(value);
}

/** `KEY=VALUE` lists or maps; a bare `KEY` (or a null value) takes the host's value, and is left out when unset. */
function keyValues(value: z.infer<typeof ListOrMap> | undefined, lookup: (name: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  const pairs: Array<[string, string | undefined]> = Array.isArray(value)
    ? value.map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, undefined]))
    : Object.entries(value).map(([k, v]) => [k, v === null ? undefined : String(v)]);
  for (const [k, v] of pairs) {
    const resolved = v ?? lookup(k);
    if (resolved !== undefined) out[k] = resolved;
  }
  return out;
}

/** `env_file`: KEY=VALUE lines (comments and blank lines skipped, one level of quotes removed). */
function envFiles(file: string, dir: string, field: string, value: ServiceYaml['env_file'], lookup: (name: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of value === undefined ? [] : [value].flat()) {
    const spec = typeof entry === 'string' ? { path: entry, required: true } : { path: entry.path, required: entry.required ?? true };
    const envPath = path.resolve(dir, spec.path);
    if (!isFile(envPath)) {
      if (spec.required) throw new TaskError(file, `${field}.env_file`, `no file ${envPath}`, 'the path is relative to the compose file');
      continue;
    }
    const lines = readFileSync(envPath, 'utf8').split(/\r?\n/);
    const list = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/^export\s+/, ''));
    for (const [k, v] of Object.entries(keyValues(list, lookup))) out[k] = v.replace(/^(['"])([\s\S]*)\1$/, '$2');
  }
  return out;
}

function dependencies(value: ServiceYaml['depends_on']): ServiceDependency[] {
  if (!value) return [];
  if (Array.isArray(value)) return value.map((service) => ({ service, condition: 'service_started' }));
  return Object.entries(value).map(([service, spec]) => ({ service, condition: spec?.condition ?? 'service_started' }));
}

function healthcheck(file: string, field: string, h: ServiceYaml['healthcheck']): ServiceHealthcheck | null {
  if (!h) return null;
  const seconds = (key: 'interval' | 'timeout' | 'start_period', fallback: number) => {
    const v = h[key];
    if (v === undefined) return fallback;
    const s = parseDuration(v);
    if (s === null) throw new TaskError(file, `${field}.healthcheck.${key}`, `"${v}" is not a duration`, 'e.g. 5s, 1m30s, 500ms');
    return s;
  };
  let test: string[] | null = null;
  if (h.disable) test = ['NONE'];
  else if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test)) {
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(h.test[0] ?? '')) throw new TaskError(file, `${field}.healthcheck.test`, `starts with "${h.test[0] ?? ''}"`, 'a list test starts with CMD, CMD-SHELL or NONE');
    test = h.test;
  }
  // Docker's defaults.
  return { test, intervalSec: seconds('interval', 30), timeoutSec: seconds('timeout', 30), startPeriodSec: seconds('start_period', 0), retries: h.retries ?? 3 };
}

function positive(file: string, field: string, n: number | null): number {
  if (n === null || !Number.isFinite(n) || n <= 0) throw new TaskError(file, field, 'expected a positive amount', 'e.g. cpus: "0.5", memory: 512M');
  return n;
}

/**
 * Dependencies first; otherwise services keep their order in the file, and the main service comes as late as its
 * dependents allow (its sidecars are usually what it waits for).
 */
export function startOrder(file: string, services: ComposeService[], main: string): ComposeService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order: ComposeService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: ComposeService, path: string[]) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') throw new TaskError(file, `services.${s.name}.depends_on`, `a dependency cycle: ${[...path, s.name].join(' → ')}`, 'remove one of the dependencies');
    state.set(s.name, 'visiting');
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (!dep) throw new TaskError(file, `services.${s.name}.depends_on`, `names "${d.service}", which is not a service`, `one of: ${[...byName.keys()].join(', ')}`);
      visit(dep, [...path, s.name]);
    }
    state.set(s.name, 'done');
    order.push(s);
  };
  for (const s of services) if (s.name !== main) visit(s, []);
  visit(byName.get(main)!, []);
  return order;
}

function interpolateTree(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => interpolateTree(v, fn));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateTree(v, fn)]));
  return value;
}

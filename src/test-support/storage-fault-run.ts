/**
 * A run that meets a storage fault, then a resume: the trials run over a table-driven sandbox (no Docker) and write
 * into a real folder through a file system that fails on purpose (FaultyFs). Shared by the storage-fault tests and
 * the chaos figures.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { packEntries } from '../common/tar.js';
import type { Harness } from '../harness/harness.js';
import type { RunRecord } from '../records/run-record.js';
import { fixtureRun } from './fixture-runs.js';
import type { TrialResult } from '../records/trial-result.js';
import { executePlan } from '../runner/executor.js';
import { buildPlan } from '../runner/plan.js';
import { ResultsStore } from '../runner/results-store.js';
import type { TrialSpec } from '../runner/trial.js';
import type { SandboxBackend } from '../sandbox/sandbox.js';
import { loadTask } from '../tasks/loader.js';
import { FIXTURES, tempDir } from './cli.js';
import { execResult, fakeSandbox } from './fake-sandbox.js';
import { FaultyFs, nth, type FaultPlan, type Write } from './faulty-fs.js';

/** Writes each kind of trial file: harness.log, trajectory.jsonl and model-traffic.jsonl, three lines each. */
export const chattyHarness: Harness = {
  descriptor: { name: 'chatty', kind: 'test', source: 'test', definition: {}, hash: 'x' },
  async runStep(ctx) {
    for (let i = 0; i < 3; i++) {
      ctx.log(`line ${i}`);
      ctx.recorder.record({ startedAt: new Date().toISOString(), durationMs: 1, action: null, exitCode: 0, ok: true, okRule: 'test' });
      ctx.recordModelCall({ time: new Date().toISOString(), replayKey: null, model: 'm', request: { messages: [], tools: [] }, response: { text: 'hi' }, durationMs: 1 } as never);
      await new Promise((r) => setTimeout(r, 2));
    }
    return { stopReason: 'finished' };
  },
};

/** Sandboxes with nothing behind them: the verifier writes reward 1, /logs/artifacts holds one file. */
export function fakeBackend(): SandboxBackend {
  return {
    async ping() {},
    async prepare() {
      return { ref: 'fake:1', id: 'sha256:fake', workdir: '/app', entrypoint: null, built: false, durationMs: 0 };
    },
    async start() {
      const box = fakeSandbox(() => execResult());
      box.readDir = async () => new Map([['reward.txt', Buffer.from('1\n')]]);
      box.exportDir = async (source: string) => Readable.from(await packEntries([{ name: `${path.posix.basename(source)}/out.txt`, content: Buffer.from('artifact\n'), mode: 0o644 }]));
      return box;
    },
    async createIsolatedNetwork() {
      throw new Error('a fake backend has no networks');
    },
    async restrictNetwork() {
      return { enforced: false, reason: 'a fake backend has no networks' } as never;
    },
    async removeNetwork() {},
    async sweep() {
      return { containers: 0, networks: 0 };
    },
    async close() {},
  };
}

export interface Invocation {
  /** The error the run stopped on (null: it finished). */
  error: unknown;
  /** Trials started, and trials appended to trials.jsonl (in order). */
  begun: string[];
  appended: TrialResult[];
}

const record = (status: RunRecord['status']): RunRecord => ({ ...fixtureRun({ runId: 'sf', tasks: {}, outcomes: {}, trialsPlanned: 1 }).record, status });

/** Like executeRun: run.json says running, the plan runs, run.json says how it ended (when the disk still takes it). */
async function invoke(store: ResultsStore, plan: TrialSpec[], concurrency: number): Promise<Invocation> {
  const begun: string[] = [];
  const appended: TrialResult[] = [];
  await store.writeRun(record('running'));
  let error: unknown = null;
  try {
    await executePlan(plan, {
      runId: 'sf',
      store,
      sandboxes: fakeBackend(),
      signal: new AbortController().signal,
      allowNetwork: false,
      concurrency,
      reporter: { name: 'test', onTrialBegin: (k) => begun.push(k), onTrialEnd: (r) => appended.push(r) },
    });
  } catch (err) {
    error = err;
  }
  if (error) await store.writeRun(record('failed')).catch(() => undefined);
  else error = await store.writeRun(record('completed')).then(() => null, (err: unknown) => err);
  store.close();
  return { error, begun, appended };
}

export interface FaultThenResume {
  dir: string;
  fs: FaultyFs;
  plan: TrialSpec[];
  first: Invocation;
  /** After the first invocation: trials.jsonl's text, run.json parsed, the temporary files left in the folder. */
  text: string;
  runJson: RunRecord;
  leftTmp: string[];
  /** What a resume read back before it ran anything. */
  before: TrialResult[];
  second: Invocation;
  after: TrialResult[];
  afterStatus: RunRecord['status'];
}

/** Runs `trials` trials of the hello fixture into a folder whose disk fails as `fault` says, then resumes on the real disk. */
export async function faultThenResume(fault: FaultPlan, o: { trials?: number; concurrency?: number } = {}): Promise<FaultThenResume> {
  const task = await loadTask(path.join(FIXTURES, 'tasks/hello'));
  const dir = path.join(await tempDir(), 'run');
  const fs = new FaultyFs(fault);
  const plan = buildPlan([task], [chattyHarness], o.trials ?? 6);
  const first = await invoke(await ResultsStore.create(dir, fs), plan, o.concurrency ?? 2);
  const text = await readFile(path.join(dir, 'trials.jsonl'), 'utf8').catch(() => '');
  const runJson = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunRecord;
  const leftTmp = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));

  const resumed = await ResultsStore.open(dir);
  const before = await resumed.readTrials();
  const done = new Set(before.map((r) => r.key));
  const second = await invoke(resumed, plan.filter((s) => !done.has(s.id.key)), o.concurrency ?? 2);
  return { dir, fs, plan, first, text, runJson, leftTmp, before, second, after: await resumed.readTrials(), afterStatus: (await resumed.readRun()).status };
}

const trialsJsonl = (op: Write['op']) => (w: Write) => w.file.endsWith('trials.jsonl') && w.op === op;
const inTrial = (name: string) => (w: Write) => w.file.includes(`${path.sep}trials${path.sep}`) && w.file.includes(name);

export interface FaultCase {
  name: string;
  /** The file the error must name. */
  file: RegExp;
  plan: () => FaultPlan;
}

/** Each fault kind at each place a run writes (the `at` counters are fresh per call of `plan`). */
export const FAULT_CASES: FaultCase[] = [
  { name: 'disk full mid-line at the 3rd append to trials.jsonl (a short write, rolled back)', file: /trials\.jsonl: cannot write/, plan: () => ({ code: 'ENOSPC', at: nth(3, trialsJsonl('write')), partial: true }) },
  { name: 'read-only at the 2nd append to trials.jsonl', file: /trials\.jsonl: cannot write/, plan: () => ({ code: 'EROFS', at: nth(2, trialsJsonl('open')) }) },
  { name: 'a refused write (EACCES) at the 1st append to trials.jsonl', file: /trials\.jsonl: cannot write/, plan: () => ({ code: 'EACCES', at: nth(1, trialsJsonl('open')) }) },
  { name: 'I/O error at the 2nd append to trials.jsonl (cannot even cut it back)', file: /trials\.jsonl: cannot write/, plan: () => ({ code: 'EIO', at: nth(2, trialsJsonl('write')) }) },
  { name: 'disk full on a trajectory.jsonl line', file: /trajectory\.jsonl: cannot write/, plan: () => ({ code: 'ENOSPC', at: nth(8, inTrial('trajectory.jsonl')) }) },
  { name: 'read-only on a harness.log line', file: /harness\.log: cannot write/, plan: () => ({ code: 'EROFS', at: nth(5, inTrial('harness.log')) }) },
  { name: 'a refused model-traffic.jsonl line', file: /model-traffic\.jsonl: cannot write/, plan: () => ({ code: 'EACCES', at: nth(4, inTrial('model-traffic.jsonl')) }) },
  { name: 'disk full on instruction.md of the 3rd trial', file: /instruction\.md: cannot write/, plan: () => ({ code: 'ENOSPC', at: nth(3, inTrial('instruction.md')) }) },
  { name: 'disk full on an artifact', file: /out\.txt: cannot write/, plan: () => ({ code: 'ENOSPC', at: nth(2, inTrial(`artifacts${path.sep}logs-artifacts`)) }) },
  { name: 'I/O error on an artifacts manifest', file: /manifest\.json: cannot write/, plan: () => ({ code: 'EIO', at: nth(2, inTrial('manifest.json')) }) },
  { name: 'read-only when a trial folder is made', file: /trials\/.*: cannot write/, plan: () => ({ code: 'EROFS', at: nth(4, (w) => w.op === 'mkdir' && w.file.includes(`${path.sep}trials${path.sep}`)) }) },
  ...(['ENOSPC', 'EROFS', 'EIO'] as const).map((code) => ({
    name: `${code} on the final run.json write (the old one stays)`,
    file: /run\.json: cannot write/,
    plan: () => ({ code, at: nth(2, (w) => w.op === 'writeFile' && w.file.includes('run.json')) }),
  })),
];

/** Whether a fault-then-resume ended as it must; the first problem found, or null. */
export function checkSurvived(r: FaultThenResume, file: RegExp): string | null {
  const message = r.first.error instanceof Error ? r.first.error.message : '';
  const code = r.fs.plan.code;
  const keys = r.after.map((t) => t.key);
  const lines = r.text.split('\n').filter(Boolean);
  const checks: Array<[boolean, string]> = [
    [r.fs.tripped !== null, 'the fault never happened'],
    [(r.first.error as { code?: string } | null)?.code === 'STORAGE', `stopped on ${String(r.first.error)}, not a storage error`],
    [!message.includes('\n') && file.test(message) && message.includes(`(${code}: `), `message does not name the file and ${code}: ${message}`],
    [/; (free space on|make|check the disk holding) .*, then finish with hbench run --resume /.test(message) && message.includes(r.dir), `message has no fix: ${message}`],
    [r.text === '' || r.text.endsWith('\n'), 'trials.jsonl ends mid-line'],
    [safeKeys(lines)?.join() === r.first.appended.map((t) => t.key).join(), 'trials.jsonl does not hold exactly the trials appended before the fault'],
    [r.before.map((t) => t.key).join() === r.first.appended.map((t) => t.key).join(), 'the resume read back other trials than were appended'],
    [r.runJson.status === 'running' || r.runJson.status === 'failed', `run.json says ${r.runJson.status}`],
    [r.leftTmp.length === 0, `temporary files left: ${r.leftTmp.join(', ')}`],
    [r.second.error === null && r.afterStatus === 'completed', `the resume failed: ${String(r.second.error)}`],
    [new Set(keys).size === keys.length, 'a trial was recorded twice'],
    [[...keys].sort().join() === r.plan.map((s) => s.id.key).sort().join(), 'a trial of the plan is missing'],
  ];
  return checks.find(([ok]) => !ok)?.[1] ?? null;
}

function safeKeys(lines: string[]): string[] | null {
  try {
    return lines.map((l) => (JSON.parse(l) as TrialResult).key);
  } catch {
    return null;
  }
}

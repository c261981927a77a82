/**
 * Storage faults met by a run (disk full, read-only, a refused write, an I/O error) at each place it writes:
 * the Nth append to trials.jsonl and each kind of trial-folder write. The trials run over a table-driven sandbox
 * (no Docker) and write into a real folder through a file system that fails on purpose. After the fault the run
 * has stopped with one StorageError, trials.jsonl holds exactly what was appended before it, and a resume over the
 * same folder (a fresh store on the real file system) finishes the plan with no trial lost and none repeated.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../common/errors.js';
import { packEntries } from '../common/tar.js';
import type { Harness } from '../harness/harness.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';
import type { SandboxBackend } from '../sandbox/sandbox.js';
import { loadTask } from '../tasks/loader.js';
import type { Task } from '../tasks/task.js';
import { tempDir, FIXTURES } from '../test-support/cli.js';
import { execResult, fakeSandbox } from '../test-support/fake-sandbox.js';
import { FaultyFs, nth, type FaultCode, type FaultPlan, type Write } from '../test-support/faulty-fs.js';
import { executePlan } from './executor.js';
import { buildPlan } from './plan.js';
import { ResultsStore } from './results-store.js';
import type { TrialSpec } from './trial.js';

/** Writes each kind of trial file: harness.log, trajectory.jsonl and model-traffic.jsonl, three lines each. */
const chatty: Harness = {
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
function fakeBackend(): SandboxBackend {
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
      throw new Error('not in these tests');
    },
    async restrictNetwork() {
      return { enforced: false, reason: 'no network in these tests' } as never;
    },
    async removeNetwork() {},
    async sweep() {
      return { containers: 0, networks: 0 };
    },
    async close() {},
  };
}

let task: Task;
beforeAll(async () => {
  task = await loadTask(path.join(FIXTURES, 'tasks/hello'));
});

const TRIALS = 6;

async function execute(store: ResultsStore, plan: TrialSpec[]) {
  const begun: string[] = [];
  const appended: TrialResult[] = [];
  const outcome = await executePlan(plan, {
    runId: 'sf',
    store,
    sandboxes: fakeBackend(),
    signal: new AbortController().signal,
    allowNetwork: false,
    concurrency: 2,
    reporter: { name: 'test', onTrialBegin: (k) => begun.push(k), onTrialEnd: (r) => appended.push(r) },
  }).then(
    (o) => ({ ...o, error: null as unknown }),
    (error: unknown) => ({ results: [] as TrialResult[], interrupted: false, error }),
  );
  return { ...outcome, begun, appended };
}

const record = (status: RunRecord['status']) => ({ runId: 'sf', status }) as RunRecord;

/** Like executeRun: run.json says running, the plan runs, run.json says how it ended (when the disk still takes it). */
async function run(store: ResultsStore, plan: TrialSpec[]) {
  await store.writeRun(record('running'));
  const outcome = await execute(store, plan);
  if (outcome.error) await store.writeRun(record('failed')).catch(() => undefined);
  else outcome.error = await store.writeRun(record('completed')).then(() => null, (err: unknown) => err);
  return outcome;
}

/** Runs the plan into a folder whose disk fails as `fault` says, then resumes it on the real disk. */
async function faultThenResume(fault: FaultPlan) {
  const dir = path.join(await tempDir(), 'run');
  const fs = new FaultyFs(fault);
  const store = await ResultsStore.create(dir, fs);
  const plan = buildPlan([task], [chatty], TRIALS);
  const first = await run(store, plan);
  store.close();
  // run.json is a whole version (the old or the new), and no temporary file is left beside it.
  const runJson = JSON.parse(await readFile(store.runFile, 'utf8')) as RunRecord;
  expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  const text = await readFile(store.trialsFile, 'utf8').catch(() => '');
  const resumed = await ResultsStore.open(dir);
  const before = await resumed.readTrials();
  const done = new Set(before.map((r) => r.key));
  const second = await run(resumed, plan.filter((s) => !done.has(s.id.key)));
  const after = await resumed.readTrials();
  expect((await resumed.readRun()).status).toBe('completed');
  return { dir, fs, first, text, runJson, before, second, after, plan };
}

function expectCleanStopAndResume(r: Awaited<ReturnType<typeof faultThenResume>>, code: FaultCode, file: RegExp) {
  // The run stopped on the fault, with one line naming the file, the OS error and the fix.
  expect(r.fs.tripped).not.toBeNull();
  expect(r.first.error).toBeInstanceOf(StorageError);
  const message = (r.first.error as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toMatch(file);
  expect(message).toContain(`(${code}: `);
  expect(message).toMatch(/; (free space on|make|check the disk holding) .*, then finish with hbench run --resume /);
  expect(message).toContain(r.dir);
  expect(['running', 'failed']).toContain(r.runJson.status);
  // trials.jsonl parses fully and holds exactly the trials appended before the fault.
  const lines = r.text.split('\n').filter(Boolean);
  expect(r.text === '' || r.text.endsWith('\n')).toBe(true);
  expect(lines.map((l) => (JSON.parse(l) as TrialResult).key)).toEqual(r.first.appended.map((t) => t.key));
  expect(r.before.map((t) => t.key)).toEqual(r.first.appended.map((t) => t.key));
  // The resume finishes the plan: every trial exactly once, the earlier lines untouched.
  expect(r.second.error).toBeNull();
  const keys = r.after.map((t) => t.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual(r.plan.map((s) => s.id.key).sort());
  expect(r.after.slice(0, r.before.length)).toEqual(r.before);
  expect(r.after.every((t) => t.status === 'passed')).toBe(true);
}

const trialsJsonl = (w: Write) => w.file.endsWith('trials.jsonl') && (w.op === 'write' || w.op === 'open');
const inTrial = (name: string) => (w: Write) => w.file.includes(`${path.sep}trials${path.sep}`) && w.file.includes(name);

describe('a run meets a storage fault, stops cleanly, and resumes', () => {
  const cases: Array<{ name: string; code: FaultCode; at: (w: Write) => boolean; partial?: boolean; file: RegExp }> = [
    { name: 'disk full mid-line at the 3rd append to trials.jsonl (a short write, rolled back)', code: 'ENOSPC', partial: true, at: nth(3, (w) => w.file.endsWith('trials.jsonl') && w.op === 'write'), file: /trials\.jsonl: cannot write/ },
    { name: 'read-only at the 2nd open of trials.jsonl', code: 'EROFS', at: nth(2, (w) => w.file.endsWith('trials.jsonl') && w.op === 'open'), file: /trials\.jsonl: cannot write/ },
    { name: 'a refused write (EACCES) at the 1st append to trials.jsonl', code: 'EACCES', at: nth(1, trialsJsonl), file: /trials\.jsonl: cannot write/ },
    { name: 'I/O error at the 2nd append to trials.jsonl (cannot even cut it back)', code: 'EIO', at: nth(2, (w) => w.file.endsWith('trials.jsonl') && w.op === 'write'), file: /trials\.jsonl: cannot write/ },
    { name: 'disk full on a trajectory.jsonl line', code: 'ENOSPC', at: nth(8, inTrial('trajectory.jsonl')), file: /trajectory\.jsonl: cannot write/ },
    { name: 'read-only on a harness.log line', code: 'EROFS', at: nth(5, inTrial('harness.log')), file: /harness\.log: cannot write/ },
    { name: 'a refused model-traffic.jsonl line', code: 'EACCES', at: nth(4, inTrial('model-traffic.jsonl')), file: /model-traffic\.jsonl: cannot write/ },
    { name: 'disk full on instruction.md of the 3rd trial', code: 'ENOSPC', at: nth(3, inTrial('instruction.md')), file: /instruction\.md: cannot write/ },
    { name: 'disk full on an artifact', code: 'ENOSPC', at: nth(2, inTrial(`artifacts${path.sep}logs-artifacts`)), file: /out\.txt: cannot write/ },
    { name: 'I/O error on an artifacts manifest', code: 'EIO', at: nth(2, inTrial('manifest.json')), file: /manifest\.json: cannot write/ },
    { name: 'read-only when a trial folder is made', code: 'EROFS', at: nth(4, (w) => w.op === 'mkdir' && w.file.includes(`${path.sep}trials${path.sep}`)), file: /trials\/.*: cannot write/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await faultThenResume({ code: c.code, at: c.at, partial: c.partial });
      expectCleanStopAndResume(r, c.code, c.file);
      // The fault stopped the run: trials not yet begun were not started.
      expect(r.first.begun.length).toBeLessThan(TRIALS);
    });
  }

  for (const code of ['ENOSPC', 'EROFS', 'EIO'] as const) {
    it(`${code} on the final run.json write: the old run.json stays, whole; the resume has nothing left to run`, async () => {
      const r = await faultThenResume({ code, at: nth(2, (w) => w.op === 'writeFile' && w.file.includes('run.json')) });
      expectCleanStopAndResume(r, code, /run\.json: cannot write/);
      expect(r.runJson.status).toBe('running');
      expect(r.first.appended).toHaveLength(TRIALS);
      expect(r.second.begun).toEqual([]);
    });
  }

  it('a trial stopped by the fault is not recorded, and its folder is redone on resume', async () => {
    const r = await faultThenResume({ code: 'ENOSPC', at: nth(2, inTrial('harness.log')) });
    expectCleanStopAndResume(r, 'ENOSPC', /harness\.log: cannot write/);
    // The faulted trial started in the first invocation, was not recorded, and ran again in the second.
    const faulted = path.basename(path.dirname(r.fs.tripped!.file));
    expect(r.first.appended.map((t) => t.key)).not.toContain(faulted);
    expect(r.second.begun).toContain(faulted);
    const log = await readFile(path.join(r.dir, 'trials', faulted, 'harness.log'), 'utf8');
    expect(log.match(/line 0/g)).toHaveLength(1);
    expect((await readdir(path.join(r.dir, 'trials'))).sort()).toEqual(r.plan.map((s) => s.id.key).sort());
  });
});

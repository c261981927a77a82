import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/cli.js';
import { FaultyFs, nth } from '../test-support/faulty-fs.js';
import { fixtureRun } from '../test-support/fixture-runs.js';
import { ResultsStore } from './results-store.js';
import type { TrialResult } from '../records/trial-result.js';

const trial = (key: string) => ({ schema: 1, key, status: 'passed' }) as unknown as TrialResult;

describe('ResultsStore', () => {
  it('appends one flushed line per trial and reads them back', async () => {
    const store = await ResultsStore.create(path.join(await tempDir(), 'r'));
    store.appendTrial(trial('a'));
    store.appendTrial(trial('b'));
    store.close();
    expect((await readFile(store.trialsFile, 'utf8')).split('\n')).toEqual([JSON.stringify(trial('a')), JSON.stringify(trial('b')), '']);
    expect((await store.readTrials()).map((t) => t.key)).toEqual(['a', 'b']);
  });

  it('drops a last line cut short by a crash, and truncates the file to the good part', async () => {
    const store = await ResultsStore.create(path.join(await tempDir(), 'r'));
    await writeFile(store.trialsFile, `${JSON.stringify(trial('a'))}\n{"schema":1,"key":"b`);
    expect((await store.readTrials()).map((t) => t.key)).toEqual(['a']);
    expect(await readFile(store.trialsFile, 'utf8')).toBe(`${JSON.stringify(trial('a'))}\n`);
    store.appendTrial(trial('b'));
    store.close();
    expect((await store.readTrials()).map((t) => t.key)).toEqual(['a', 'b']);
  });

  it('refuses a corrupted line in the middle rather than guessing', async () => {
    const store = await ResultsStore.create(path.join(await tempDir(), 'r'));
    await writeFile(store.trialsFile, `garbage\n${JSON.stringify(trial('a'))}\n`);
    await expect(store.readTrials()).rejects.toThrow(/trials\.jsonl: line 1 is not valid JSON/);
  });

  it('will not overwrite an existing run, and replaces run.json atomically', async () => {
    const dir = path.join(await tempDir(), 'r');
    const store = await ResultsStore.create(dir);
    await store.writeRun(fixtureRun({ runId: 'x', tasks: { t: 'h' }, outcomes: { nop: { t: ['passed'] } } }).record);
    await expect(ResultsStore.create(dir)).rejects.toThrow(/already holds a run; .*--resume/);
    expect((await store.readRun()).runId).toBe('x');
    await expect(ResultsStore.open(path.join(dir, 'nope'))).rejects.toThrow(/no run\.json here/);
  });

  it('a merge append the disk fills part-way leaves none of its trials, and names the file', async () => {
    const fs = new FaultyFs({ code: 'ENOSPC', partial: true, at: nth(2, (w) => w.op === 'write') });
    const store = await ResultsStore.create(path.join(await tempDir(), 'r'), fs);
    store.appendTrial(trial('a'));
    expect(() => store.appendTrials([trial('b'), trial('c')])).toThrow(/trials\.jsonl: cannot write \(ENOSPC: no space left on the device\); free space on the disk holding .*, then finish with hbench run --resume /);
    expect(await readFile(store.trialsFile, 'utf8')).toBe(`${JSON.stringify(trial('a'))}\n`);
  });

  it('a run.json the disk refuses leaves the old one whole and no temporary file', async () => {
    const fs = new FaultyFs({ code: 'EROFS', at: nth(2, (w) => w.op === 'writeFile') });
    const store = await ResultsStore.create(path.join(await tempDir(), 'r'), fs);
    const { record } = fixtureRun({ runId: 'old', tasks: {}, outcomes: {}, trialsPlanned: 1 });
    await store.writeRun(record);
    await expect(store.writeRun({ ...record, runId: 'new' })).rejects.toThrow(/run\.json: cannot write \(EROFS: read-only file system\); make .* writable/);
    expect((await store.readRun()).runId).toBe('old');
    expect((await readdir(store.dir)).sort()).toEqual(['run.json', 'trials']);
  });
});

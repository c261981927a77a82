import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/cli.js';
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
});

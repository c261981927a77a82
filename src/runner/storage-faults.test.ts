/**
 * Storage faults met by a run (disk full, read-only, a refused write, an I/O error) at each place it writes: the Nth
 * append to trials.jsonl, each kind of trial-folder write, the final run.json. The trials run over a table-driven
 * sandbox (no Docker) into a real folder through a file system that fails on purpose. After the fault the run has
 * stopped on one StorageError (one line: file, OS error, fix), trials.jsonl holds exactly what was appended before it,
 * run.json is whole, and a resume over the same folder on the real disk finishes the plan with no trial lost and
 * none repeated.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nth, type Write } from '../test-support/faulty-fs.js';
import { FAULT_CASES, checkSurvived, faultThenResume } from '../test-support/storage-fault-run.js';

const TRIALS = 6;

describe('a run meets a storage fault, stops cleanly, and resumes', () => {
  for (const c of FAULT_CASES) {
    it(c.name, async () => {
      const r = await faultThenResume(c.plan(), { trials: TRIALS });
      expect(checkSurvived(r, c.file)).toBeNull();
      expect(r.after.slice(0, r.before.length)).toEqual(r.before);
      expect(r.after.every((t) => t.status === 'passed')).toBe(true);
      if (/run\.json/.test(c.name)) {
        // Every trial was recorded; only the final record was refused, and the old one stayed.
        expect(r.runJson.status).toBe('running');
        expect(r.first.appended).toHaveLength(TRIALS);
        expect(r.second.begun).toEqual([]);
      } else {
        // The fault stopped the run: trials not yet begun were not started.
        expect(r.first.begun.length).toBeLessThan(TRIALS);
      }
    });
  }

  it('a trial stopped by the fault is not recorded, and its folder is redone on resume', async () => {
    const r = await faultThenResume({ code: 'ENOSPC', at: nth(2, (w: Write) => w.file.endsWith('harness.log')) }, { trials: TRIALS });
    expect(checkSurvived(r, /harness\.log: cannot write/)).toBeNull();
    const faulted = path.basename(path.dirname(r.fs.tripped!.file));
    expect(r.first.begun).toContain(faulted);
    expect(r.first.appended.map((t) => t.key)).not.toContain(faulted);
    expect(r.second.begun).toContain(faulted);
    const log = await readFile(path.join(r.dir, 'trials', faulted, 'harness.log'), 'utf8');
    expect(log.match(/line 0/g)).toHaveLength(1);
    expect((await readdir(path.join(r.dir, 'trials'))).sort()).toEqual(r.plan.map((s) => s.id.key).sort());
  });

  it('the check itself fails when trials.jsonl is left with half a line', async () => {
    // Keeps checkSurvived honest: a fault that is not rolled back must be caught by it.
    const r = await faultThenResume({ code: 'ENOSPC', at: nth(2, (w: Write) => w.file.endsWith('harness.log')) }, { trials: 2 });
    expect(checkSurvived({ ...r, text: `${r.text}{"key":"x` }, /harness\.log/)).toBe('trials.jsonl ends mid-line');
    expect(checkSurvived({ ...r, after: [...r.after, r.after[0]!] }, /harness\.log/)).toBe('a trial was recorded twice');
  });
});

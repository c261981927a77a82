/**
 * Reads one side of a comparison: `results/<run>` (a run with one harness) or `results/<run>#<harness>`.
 */
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import { ResultsStore } from './results-store.js';
import type { RunRecord } from '../records/run-record.js';
import type { TrialResult } from '../records/trial-result.js';

export interface ResultSide {
  label: string;
  dir: string;
  harness: string;
  record: RunRecord;
  trials: TrialResult[];
}

export async function loadSide(spec: string): Promise<ResultSide> {
  const hash = spec.lastIndexOf('#');
  const dir = path.resolve(hash >= 0 ? spec.slice(0, hash) : spec);
  const wanted = hash >= 0 ? spec.slice(hash + 1) : null;
  const store = await ResultsStore.open(dir, 'give a results folder made by hbench run: results/<run> or results/<run>#<harness>');
  const record = await store.readRun();
  const all = await store.readTrials();
  const harnesses = record.harnesses.map((h) => h.name);
  let harness = wanted;
  if (!harness) {
    if (harnesses.length !== 1) {
      throw new UsageError(`${spec}: the run has ${harnesses.length} harnesses (${harnesses.join(', ')}); name one: ${spec}#${harnesses[0] ?? 'NAME'}`);
    }
    harness = harnesses[0]!;
  } else if (!harnesses.includes(harness)) {
    throw new UsageError(`${spec}: no harness "${harness}" in this run (it has ${harnesses.join(', ')})`);
  }
  const trials = all.filter((t) => t.harness === harness);
  if (trials.length === 0) throw new UsageError(`${spec}: no finished trials for harness "${harness}" (resume the run first)`);
  return { label: `${path.basename(dir)}#${harness}`, dir, harness, record, trials };
}

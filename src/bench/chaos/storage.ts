/**
 * Chaos figures for results storage: every fault kind (disk full, read-only, refused write, I/O error) at every place
 * a run writes (trials.jsonl appends, trial-folder files, run.json), each run stopped by the fault and then resumed.
 * Faults are injected by the results store's file-system seam over a table-driven sandbox; the same on a real disk
 * (a tmpfs that fills, one remounted read-only) is checked by test/e2e/storage-faults.test.ts.
 */
import { FAULT_CASES, checkSurvived, faultThenResume } from '../../test-support/storage-fault-run.js';
import type { ChaosFigure } from './figure.js';

const KINDS: Record<string, string> = { ENOSPC: 'disk full', EROFS: 'read-only', EACCES: 'refused write', EIO: 'I/O error' };

export async function storageChaos(): Promise<ChaosFigure[]> {
  const started = performance.now();
  let lost = 0;
  let repeated = 0;
  let trials = 0;
  const failures: string[] = [];
  const byKind = new Map<string, number>();
  for (const c of FAULT_CASES) {
    const plan = c.plan();
    const kind = KINDS[plan.code] ?? plan.code;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const r = await faultThenResume(plan);
    const problem = checkSurvived(r, c.file);
    if (problem) failures.push(`${c.name}: ${problem}`);
    const keys = r.after.map((t) => t.key);
    lost += r.plan.filter((s) => !keys.includes(s.id.key)).length;
    repeated += keys.length - new Set(keys).size;
    trials += r.plan.length;
  }
  if (failures.length) throw new Error(`storage: ${failures.length}/${FAULT_CASES.length} faults not survived: ${failures.join('; ')}`);
  return [
    {
      area: 'storage',
      name: 'storage faults survived',
      value: `${FAULT_CASES.length}/${FAULT_CASES.length} (${[...byKind.keys()].join(', ')}), ${lost} lost, ${repeated} repeated after resume`,
      detail: `${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ')} at trials.jsonl appends, trial-folder files and the final run.json; each a clean stop on one line (file, OS error, fix), trials.jsonl and run.json valid, resumed to ${trials} trials in all; injected faults, table-driven sandbox; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    },
  ];
}

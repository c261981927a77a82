/** The task × harness grid: one cell per pair, flagged against the baseline so the page can filter to what moved. */
import type { TrialStatus } from '../../records/trial-result.js';
import type { MatrixCell, TrialView } from './model-types.js';

export function buildMatrix(taskIds: string[], harnesses: string[], trials: TrialView[], baseline: string, errorsAsFailures: boolean): MatrixCell[] {
  const byPair = new Map<string, TrialView[]>();
  for (const t of trials) {
    const k = `${t.taskId}\0${t.harness}`;
    const list = byPair.get(k);
    if (list) list.push(t);
    else byPair.set(k, [t]);
  }
  const cell = (taskId: string, harness: string) => {
    const ts = (byPair.get(`${taskId}\0${harness}`) ?? []).slice().sort((a, b) => a.trial - b.trial);
    const statuses: Record<TrialStatus, number> = { passed: 0, failed: 0, timeout: 0, error: 0 };
    for (const t of ts) statuses[t.status]++;
    const n = ts.length - (errorsAsFailures ? 0 : statuses.error);
    const k = statuses.passed;
    return { taskId, harness, k, n, rate: n ? k / n : null, statuses, trialIds: ts.map((t) => t.id) };
  };
  const cells: MatrixCell[] = [];
  for (const taskId of taskIds) {
    const base = cell(taskId, baseline);
    for (const h of harnesses) {
      const c = h === baseline ? base : cell(taskId, h);
      const comparable = h !== baseline && c.rate !== null && base.rate !== null;
      cells.push({
        ...c,
        flags: {
          differs: comparable && c.rate !== base.rate,
          regressed: comparable && c.rate! < base.rate!,
          improved: comparable && c.rate! > base.rate!,
          flaky: c.k > 0 && c.k < c.n,
          errors: c.statuses.error > 0,
        },
      });
    }
  }
  return cells;
}

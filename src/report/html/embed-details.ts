/**
 * Which trials' trajectories and verifier output travel inside the page. A report must stay small enough to open and
 * mail around, so details are embedded up to a byte cap, the trials a reader most likely opens first: failures
 * (failed, timeout, error), then the trials of flaky cells, then the rest.
 */
import type { MatrixCell, TrialDetail, TrialView } from './model-types.js';
import { IO_CONCURRENCY, mapLimit, type DetailLoader } from './trial-files.js';

export const DEFAULT_CAP_BYTES = 4 * 1024 * 1024;

function priority(t: TrialView, flakyPairs: Set<string>): number {
  if (t.status !== 'passed') return 0;
  if (flakyPairs.has(`${t.taskId}\0${t.harness}`)) return 1;
  return 2;
}

export async function embedDetails(
  trials: TrialView[],
  cells: MatrixCell[],
  load: DetailLoader,
  capBytes: number,
): Promise<{ details: Record<string, TrialDetail>; leftOut: number }> {
  const flakyPairs = new Set(cells.filter((c) => c.flags.flaky).map((c) => `${c.taskId}\0${c.harness}`));
  const candidates = load.candidates ? await load.candidates() : null;
  const order = trials
    .filter((t) => {
      if (!candidates || candidates.has(t.key)) return true;
      t.detail = 'none';
      return false;
    })
    .map((t, i) => ({ t, i, p: priority(t, flakyPairs) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.t);
  const details: Record<string, TrialDetail> = {};
  let used = 0;
  let leftOut = 0;
  // Loaded a window at a time (reads overlap), then taken strictly in priority order, so the cap picks the same trials
  // as one-by-one loading would; a window bounds how many loaded details wait in memory.
  const WINDOW = IO_CONCURRENCY * 4;
  for (let start = 0; start < order.length; start += WINDOW) {
    const batch = order.slice(start, start + WINDOW);
    const loaded = await mapLimit(batch, IO_CONCURRENCY, (t) => load(t.key, t));
    batch.forEach((t, j) => {
      const d = loaded[j];
      if (!d) {
        t.detail = 'none';
        return;
      }
      const size = Buffer.byteLength(JSON.stringify(d));
      // Keep going after a miss: a smaller trial later in the order may still fit.
      if (used + size > capBytes) {
        t.detail = 'left-out';
        leftOut++;
        return;
      }
      used += size;
      details[t.id] = d;
      t.detail = 'embedded';
    });
  }
  return { details, leftOut };
}

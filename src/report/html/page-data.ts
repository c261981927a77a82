/**
 * What the page embeds: the report model with its trials in column-wise form (columns.ts) and the trial details in
 * an element of their own, read only when a trial is opened. The aggregates (leaderboard, matrix counts, A/B) travel
 * as they are. Trials are stored cell by cell, so a matrix cell names its trials by a range instead of 100 ids, and
 * the fields a trial shares with its cell or can rebuild from its other fields (task, harness, key, id, raw-file
 * folder) are left out wherever rebuilding gives back the very same string; assets/trial-store.js rebuilds them.
 */
import { encodeFields, type Column } from './columns.js';
import type { MatrixCell, ReportModel, TrialDetail, TrialView } from './model-types.js';

export type PageCell = Omit<MatrixCell, 'trialIds'> & {
  /** This cell's trials: `[first, count]` in the encoded trials. */
  t: [number, number];
};

export interface EncodedTrials {
  count: number;
  /** Epoch ms that `sa` (trial start) counts from. */
  base: number;
  rows: Column;
}

export interface PageModel extends Omit<ReportModel, 'trials' | 'details' | 'matrix'> {
  matrix: { tasks: string[]; cells: PageCell[] };
  trials: EncodedTrials;
}

/** A timestamp that `new Date(ms).toISOString()` gives back exactly, or null; memoised, as trials share many. */
function isoParser(): (s: unknown) => number | null {
  const seen = new Map<string, number | null>();
  return (s) => {
    if (typeof s !== 'string') return null;
    let ms = seen.get(s);
    if (ms === undefined) {
      const parsed = Date.parse(s);
      ms = Number.isFinite(parsed) && new Date(parsed).toISOString() === s ? parsed : null;
      seen.set(s, ms);
    }
    return ms;
  };
}

/** Fields stored in another form, and the forms (see assets/trial-store.js). */
const REBUILT = ['taskId', 'harness', 'trial', 'key', 'kh', 'id', 'idp', 'raw', 'rawp', 'startedAt', 'sa', 'endedAt', 'ea'] as const;
type Rebuilt = Record<(typeof REBUILT)[number], unknown[]>;

/**
 * Stores into `cols` at row `r` only what rebuilding a trial's task, harness, trial number, key, id, raw-file folder
 * and times from its cell and its other fields would not give back exactly. `at`: its place in its cell (task and
 * harness come from the cell, trial numbers 1, 2, 3… from the place), or -1.
 */
function storeRebuilt(cols: Rebuilt, r: number, t: TrialView, at: number, base: number, isoMs: (s: unknown) => number | null): void {
  const { taskId, harness, key, id, raw, startedAt, endedAt, trial } = t;
  if (at < 0) {
    cols.taskId[r] = taskId;
    cols.harness[r] = harness;
  }
  if (at < 0 || trial !== at + 1) cols.trial[r] = trial;
  const head = `${taskId}__`;
  const tail = `__${trial}`;
  const kh = key.slice(head.length, key.length - tail.length);
  // Compare reports rename the harness but keep the run's key: the key's middle part is stored when it differs.
  if (`${head}${kh}${tail}` !== key) cols.key[r] = key;
  else if (kh !== harness) cols.kh[r] = kh;
  if (id.endsWith(key)) cols.idp[r] = id.slice(0, id.length - key.length);
  else cols.id[r] = id;
  const folder = `${encodeURIComponent(key)}/`;
  if (raw.endsWith(folder)) cols.rawp[r] = raw.slice(0, raw.length - folder.length);
  else cols.raw[r] = raw;
  const s = isoMs(startedAt);
  const e = isoMs(endedAt);
  if (s === null) cols.startedAt[r] = startedAt;
  else cols.sa[r] = s - base;
  if (s === null || e === null) cols.endedAt[r] = endedAt;
  else cols.ea[r] = e - s;
}

/** The order trials are stored in: cell by cell, each cell as its trial ids say; trials in no cell at the end. */
function cellOrder(trials: readonly TrialView[], cells: readonly MatrixCell[]): { order: number[]; at: number[]; cells: PageCell[] } {
  // By id, in order: an id used twice still places each trial once.
  const byId = new Map<string, number[]>();
  trials.forEach((t, i) => {
    const list = byId.get(t.id);
    if (list) list.push(i);
    else byId.set(t.id, [i]);
  });
  const order: number[] = [];
  const at: number[] = [];
  const placed = new Uint8Array(trials.length);
  const pageCells = cells.map(({ trialIds, ...c }): PageCell => {
    const first = order.length;
    for (const id of trialIds) {
      const i = byId.get(id)?.shift();
      if (i === undefined) continue;
      const t = trials[i]!;
      // Task and harness are rebuilt from the cell on the page, so they must match it.
      at.push(t.taskId === c.taskId && t.harness === c.harness ? order.length - first : -1);
      order.push(i);
      placed[i] = 1;
    }
    return { ...c, t: [first, order.length - first] };
  });
  trials.forEach((_, i) => {
    if (placed[i]) return;
    order.push(i);
    at.push(-1);
  });
  return { order, at, cells: pageCells };
}

export function encodeTrials(trials: readonly TrialView[], cells: readonly MatrixCell[]): { trials: EncodedTrials; cells: PageCell[] } {
  const placement = cellOrder(trials, cells);
  const { order, at } = placement;
  const n = order.length;
  const isoMs = isoParser();
  let base = Infinity;
  for (const t of trials) base = Math.min(base, isoMs(t.startedAt) ?? Infinity);
  if (base === Infinity) base = 0;
  // Column by column, straight from the views: no second set of 100,000 records is made. A field a view lacks stays
  // undefined (JSON has no undefined values, so it means absent).
  const rebuiltFields = new Set<string>(REBUILT);
  const fields: string[] = [];
  for (const t of trials) for (const f in t) if (!rebuiltFields.has(f) && !fields.includes(f)) fields.push(f);
  const plain = fields.map(() => new Array<unknown>(n).fill(undefined));
  const rebuilt = Object.fromEntries(REBUILT.map((f) => [f, new Array<unknown>(n).fill(undefined)])) as Rebuilt;
  for (let r = 0; r < n; r++) {
    const t = trials[order[r]!]!;
    const record = t as unknown as Record<string, unknown>;
    for (let j = 0; j < fields.length; j++) plain[j]![r] = record[fields[j]!];
    storeRebuilt(rebuilt, r, t, at[r]!, base, isoMs);
  }
  const columns = [...fields.map((f, j) => [f, plain[j]!] as const), ...REBUILT.map((f) => [f, rebuilt[f]] as const)];
  const rows = encodeFields(columns.filter(([, values]) => values.some((x) => x !== undefined)));
  return { trials: { count: n, base, rows }, cells: placement.cells };
}

/** The model as the page embeds it, and the details that go in their own element. */
export function pageModel(model: ReportModel): { page: PageModel; details: Record<string, TrialDetail> } {
  const { trials, details, matrix, ...rest } = model;
  const encoded = encodeTrials(trials, matrix.cells);
  return { page: { ...rest, matrix: { tasks: matrix.tasks, cells: encoded.cells }, trials: encoded.trials }, details };
}

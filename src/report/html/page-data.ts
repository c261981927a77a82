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

/** Fields that rebuilt() stores in another form, or adds. */
const REBUILT = new Set(['taskId', 'harness', 'key', 'id', 'raw', 'startedAt', 'endedAt', 'trial', 'kh', 'idp', 'rawp', 'sa', 'ea']);

/**
 * The fields of a trial view that its cell or its other fields give back, in the form stored: only what rebuilding
 * would not give back exactly. `at`: its place in its cell (task and harness
 * come from the cell, and trial numbers 1, 2, 3… from the place), or -1.
 */
function rebuilt(t: TrialView, at: number, base: number, isoMs: (s: unknown) => number | null): Record<string, unknown> {
  const { taskId, harness, key, id, raw, startedAt, endedAt, trial } = t;
  const row: Record<string, unknown> = {};
  if (at < 0) Object.assign(row, { taskId, harness, trial });
  else if (trial !== at + 1) row.trial = trial;
  const head = `${taskId}__`;
  const tail = `__${trial}`;
  const kh = key.slice(head.length, key.length - tail.length);
  // Compare reports rename the harness but keep the run's key: the key's middle part is stored when it differs.
  if (`${head}${kh}${tail}` !== key) row.key = key;
  else if (kh !== harness) row.kh = kh;
  if (id.endsWith(key)) row.idp = id.slice(0, id.length - key.length);
  else row.id = id;
  const folder = `${encodeURIComponent(key)}/`;
  if (raw.endsWith(folder)) row.rawp = raw.slice(0, raw.length - folder.length);
  else row.raw = raw;
  const s = isoMs(startedAt);
  const e = isoMs(endedAt);
  if (s === null) row.startedAt = startedAt;
  else row.sa = s - base;
  if (s === null || e === null) row.endedAt = endedAt;
  else row.ea = e - s;
  return row;
}

export function encodeTrials(trials: readonly TrialView[], cells: readonly MatrixCell[]): { trials: EncodedTrials; cells: PageCell[] } {
  // By id, in order: a cell takes its trials by id, and an id used twice still places each trial once.
  const byId = new Map<string, TrialView[]>();
  for (const t of trials) {
    const list = byId.get(t.id);
    if (list) list.push(t);
    else byId.set(t.id, [t]);
  }
  const ordered: Array<{ t: TrialView; at: number }> = [];
  const placed = new Set<TrialView>();
  const pageCells = cells.map(({ trialIds, ...c }): PageCell => {
    const first = ordered.length;
    for (const id of trialIds) {
      const t = byId.get(id)?.shift();
      if (!t) continue;
      // Rebuilt from the cell on the page, so they must match it.
      const inCell = t.taskId === c.taskId && t.harness === c.harness;
      ordered.push({ t, at: inCell ? ordered.length - first : -1 });
      placed.add(t);
    }
    return { ...c, t: [first, ordered.length - first] };
  });
  for (const t of trials) if (!placed.has(t)) ordered.push({ t, at: -1 });
  const isoMs = isoParser();
  const starts = trials.map((t) => isoMs(t.startedAt)).filter((x): x is number => x !== null);
  const base = starts.length ? starts.reduce((a, b) => Math.min(a, b)) : 0;
  // Column by column, straight from the views: no second set of 100,000 records is made.
  const extra = ordered.map(({ t, at }) => rebuilt(t, at, base, isoMs));
  const names = new Set<string>();
  for (const { t } of ordered) for (const f in t) if (!REBUILT.has(f)) names.add(f);
  for (const r of extra) for (const f in r) names.add(f);
  const column = (f: string) => (REBUILT.has(f) ? extra.map((r) => r[f]) : ordered.map(({ t }) => (Object.hasOwn(t, f) ? t[f as keyof TrialView] : undefined)));
  const rows = encodeFields([...names].map((f) => [f, column(f)] as const));
  return { trials: { count: ordered.length, base, rows }, cells: pageCells };
}

/** The model as the page embeds it, and the details that go in their own element. */
export function pageModel(model: ReportModel): { page: PageModel; details: Record<string, TrialDetail> } {
  const { trials, details, matrix, ...rest } = model;
  const encoded = encodeTrials(trials, matrix.cells);
  return { page: { ...rest, matrix: { tasks: matrix.tasks, cells: encoded.cells }, trials: encoded.trials }, details };
}

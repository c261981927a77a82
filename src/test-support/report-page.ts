/**
 * The report page's own decoding (assets/columns.js, assets/trial-store.js) run in Node, so tests check what a
 * reader's browser rebuilds from the embedded data rather than a second implementation of it.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { gunzipSync } from 'node:zlib';
import type { MatrixCell, ReportModel, TrialDetail, TrialView } from '../report/html/model-types.js';
import type { PageModel } from '../report/html/page-data.js';

export interface PageTrialStore {
  count: number;
  at(i: number): TrialView;
  ofCell(c: PageModel['matrix']['cells'][number]): TrialView[];
  byId(id: string): { trial: TrialView; cell: PageModel['matrix']['cells'][number] | null } | null;
}

function pageScope(): { HB: { trialStore(m: PageModel): PageTrialStore; columns: { get(col: unknown, r: number): unknown; ABSENT: symbol } } } {
  const window: Record<string, unknown> = {};
  const context = vm.createContext({ window });
  for (const f of ['columns.js', 'trial-store.js']) {
    vm.runInContext(readFileSync(new URL(`../report/html/assets/${f}`, import.meta.url), 'utf8'), context, { filename: f });
  }
  return window as never;
}

/** Values built in another realm, made plain JSON of this one (the data is JSON to begin with). */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export function pageTrialStore(page: PageModel): PageTrialStore {
  const store = pageScope().HB.trialStore(page);
  return {
    count: store.count,
    at: (i) => plain(store.at(i)),
    ofCell: (c) => plain(store.ofCell(c)),
    byId: (id) => plain(store.byId(id)),
  };
}

/** One value of an encoded column as the page reads it; `undefined` for an absent field. */
let shared: ReturnType<typeof pageScope> | null = null;
export function pageColumnValue(col: unknown, r: number): unknown {
  shared ??= pageScope();
  const { get, ABSENT } = shared.HB.columns;
  const x = get(col, r);
  return x === ABSENT ? undefined : plain(x);
}

function scriptText(html: string, id: string): string {
  const m = new RegExp(`<script [^>]*id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error(`no #${id} in the page`);
  return m[1]!;
}

/** The report model as the page rebuilds it from a rendered file; trials in the page's order (cell by cell). */
export function modelFromHtml(html: string): ReportModel {
  const page = JSON.parse(scriptText(html, 'hbench-data')) as PageModel;
  const details = JSON.parse(gunzipSync(Buffer.from(scriptText(html, 'hbench-details'), 'base64')).toString('utf8')) as Record<string, TrialDetail>;
  const store = pageTrialStore(page);
  const trials = Array.from({ length: store.count }, (_, i) => store.at(i));
  const cells: MatrixCell[] = page.matrix.cells.map(({ t, ...c }) => ({ ...c, trialIds: trials.slice(t[0], t[0] + t[1]).map((v) => v.id) }));
  const { trials: _encoded, matrix, ...rest } = page;
  return { ...rest, matrix: { tasks: matrix.tasks, cells }, trials, details };
}

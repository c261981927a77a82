import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSide } from '../../runner/load-results.js';
import { ResultsStore } from '../../runner/results-store.js';
import type { TrialResult } from '../../records/trial-result.js';
import { pageColumnValue, pageTrialStore } from '../../test-support/report-page.js';
import { encodeColumn } from './columns.js';
import { buildCompareModel } from './compare-html.js';
import type { ReportModel, TrialView } from './model-types.js';
import { pageModel } from './page-data.js';
import { buildReportModel } from './report-model.js';
import { loadRunModel } from './write-report.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/results/', import.meta.url));

/** Every cell's trials as the page rebuilds them equal the model's views, and so does every lookup by id. */
function expectRoundTrip(model: ReportModel): void {
  const { page, details } = pageModel(model);
  expect(details).toBe(model.details);
  const store = pageTrialStore(page);
  expect(store.count).toBe(model.trials.length);
  const views = new Map(model.trials.map((t) => [t.id, t]));
  model.matrix.cells.forEach((cell, i) => {
    const pageCell = page.matrix.cells[i]!;
    const { trialIds, ...aggregates } = cell;
    const { t: _range, ...pageAggregates } = pageCell;
    expect(pageAggregates).toEqual(aggregates);
    expect(store.ofCell(pageCell)).toEqual(trialIds.map((id) => views.get(id)));
  });
  for (const t of model.trials) {
    const found = store.byId(t.id)!;
    expect(found.trial).toEqual(t);
    expect([found.cell?.taskId, found.cell?.harness]).toEqual([t.taskId, t.harness]);
  }
  expect(store.byId('no such trial')).toBeNull();
}

describe('pageModel: compact trials round-trip to the same trial views', () => {
  it.each(['sim-run', 'errors-run', 'multistep-run'])('%s (embedded and live)', async (name) => {
    const dir = path.join(fixtures, name);
    expectRoundTrip(await loadRunModel(dir));
    expectRoundTrip(await loadRunModel(dir, { mode: 'live', rawPrefix: '../x y/' }));
  });

  it('a compare report: renamed harnesses, prefixed ids, file URLs', async () => {
    const a = await loadSide(`${path.join(fixtures, 'sim-run')}#baseline`);
    const b = await loadSide(`${path.join(fixtures, 'sim-run')}#hide-exit-codes`);
    const m = await buildCompareModel(a, b);
    expect(m.trials[0]!.id).toMatch(/^a:/);
    expectRoundTrip(m);
  });

  it('many varied trials: odd keys, ids and dates, missing fields, numbers that never repeat', async () => {
    const dir = path.join(fixtures, 'multistep-run');
    const base = await loadRunModel(dir);
    const proto = base.trials[0]!;
    const trials: TrialResult[] = Array.from({ length: 600 }, (_, i) => {
      const { id: _id, raw: _raw, files: _files, detail: _detail, ...record } = proto as TrialView;
      const t: TrialResult = {
        ...structuredClone(record),
        taskId: `task ${i % 7}/é`,
        harness: `h${i % 3}`,
        trial: Math.floor(i / 21) + 1 + (i % 5 === 0 ? 1000 : 0),
        costUsd: Math.sqrt(i + 0.5) / 1e3,
        durationMs: 1000 + ((i * 7919) % 100_000),
        tokens: { input: i * 13, output: (i * 7) % 1001, cached: 0 },
        error: i % 4 === 0 ? { class: 'X', code: `E${i}`, message: `message ${i}`, phase: 'agent' } : null,
        startedAt: i % 9 === 0 ? 'not a date' : new Date(1.7e12 + i * 1000).toISOString(),
        endedAt: i % 11 === 0 ? '2025-01-01T00:00:00Z' : new Date(1.7e12 + i * 1000 + i * 37).toISOString(),
        steps: record.steps.slice(0, 1 + (i % record.steps.length)).map((s, j) => ({ ...s, agentMs: i * 31 + j, rewards: (i % 2 ? {} : { a: i / 7 }) as Record<string, number> })),
      };
      t.key = i % 6 === 0 ? `custom-${i}` : `${t.taskId}__${i % 8 === 0 ? 'other' : t.harness}__${t.trial}`;
      if (i % 13 === 0) delete (t as Partial<TrialResult>).image;
      return t;
    });
    const locate = (t: TrialResult) => ({ id: t.trial % 3 ? `p${t.trial % 2}:${t.key}` : `id-${t.key}-x`, raw: t.trial % 10 === 7 ? 'elsewhere/' : `r${t.trial % 2}/trials/${encodeURIComponent(t.key)}/` });
    // Tasks and harnesses come from the trials alone.
    const record = { ...(await (await ResultsStore.open(dir)).readRun()), tasks: [], harnesses: [] };
    expectRoundTrip(await buildReportModel({ record, trials, locate, mode: 'live' }));
  });
});

describe('encodeColumn', () => {
  it('gives back every value, absent fields included, in each of its forms', () => {
    const cases: unknown[][] = [
      [1, 1, undefined, 1],
      // Holes: how a column built row by row leaves a field absent.
      [1, , 2, , null, { a: 1 }, , [1]],
      [{ a: 1 }, , null, { a: 2 }, ...Array.from({ length: 70 }, (_, i) => ({ a: i, b: [i] }))],
      ['a', 'b', 'a', undefined, null],
      Array.from({ length: 300 }, (_, i) => (i % 17 === 0 ? undefined : i * 1.5)),
      Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? null : i % 7 === 0 ? undefined : { n: i, s: `s${i % 3}`, deep: { k: i % 2 ? [i, i + 1] : [] } })),
      Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? null : Array.from({ length: i % 4 }, (_, j) => ({ j, v: i * j })))),
      Array.from({ length: 300 }, (_, i) => (i % 3 ? `x${i}` : i)),
    ];
    for (const values of cases) {
      const col = encodeColumn(values);
      expect(values.map((_, r) => pageColumnValue(col, r))).toEqual(values);
    }
  });

  it('stores a repeated field once and a few values as small indexes', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ({ runId: 'r', status: ['passed', 'failed'][i % 2], reward: i % 2 ? 0 : 1 }));
    const size = JSON.stringify(encodeColumn(values)).length;
    expect(size).toBeLessThan(3000);
    expect(JSON.stringify(values).length / size).toBeGreaterThan(15);
  });
});

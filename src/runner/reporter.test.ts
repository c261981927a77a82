import { describe, expect, it } from 'vitest';
import type { TrialResult } from '../records/trial-result.js';
import { summarise } from '../scoring/summary.js';
import { ReporterMux, type Reporter } from './reporter.js';

describe('ReporterMux', () => {
  it('turns a reporter exception into a warning and still calls the others', async () => {
    const warnings: string[] = [];
    const seen: string[] = [];
    const broken: Reporter = {
      name: 'broken',
      onTrialEnd: () => {
        throw new Error('disk full');
      },
      onEnd: async () => {
        throw new Error('cannot write');
      },
    };
    const good: Reporter = { name: 'good', onTrialEnd: (r) => void seen.push(r.key), onEnd: async () => void seen.push('end') };
    const mux = new ReporterMux([broken, good], (m) => warnings.push(m));
    mux.onTrialEnd({ key: 't__h__1' } as TrialResult);
    await mux.onEnd(summarise('r', []), [], false);
    expect(seen).toEqual(['t__h__1', 'end']);
    expect(warnings).toEqual(['reporter broken failed in onTrialEnd: disk full', 'reporter broken failed in onEnd: cannot write']);
  });
});

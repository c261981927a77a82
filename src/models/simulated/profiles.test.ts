import { describe, expect, it } from 'vitest';
import { resolveModel } from '../resolve.js';
import { SIM_PROFILES } from './profiles.js';
import { SimulatedModel } from './simulated-model.js';

describe('simulated-model profiles, price and latency', () => {
  it('presets are parameter sets, recorded with the nominal price and latency; an unknown one is a usage error', async () => {
    const careful = await resolveModel('sim:careful');
    expect(careful.record).toMatchObject({ id: 'sim:careful', simulated: true, provider: { mistakeRate: 0.05, silentShare: 0.25, pricePerMTok: { input: 1, output: 4, simulated: true } } });
    expect((await resolveModel('sim:sloppy')).record.provider).toMatchObject({ mistakeRate: SIM_PROFILES.sloppy!.mistakeRate });
    // An explicit --sim-mistake-rate wins over the profile.
    expect((await resolveModel('sim:careful', { mistakeRate: 0.5 })).record.provider).toMatchObject({ mistakeRate: 0.5 });
    await expect(resolveModel('sim:reckless')).rejects.toThrow(/unknown simulated-model profile \(known: default, careful, sloppy\)/);
  });

  it('charges a nominal price per token and takes a deterministic time per call, so budgets can bind', async () => {
    const model = new SimulatedModel();
    const started = performance.now();
    const reply = await model.chat({ messages: [{ role: 'system', content: 'x'.repeat(4000) }, { role: 'user', content: 'do it' }], tools: [] });
    const elapsed = performance.now() - started;
    const { input, output } = reply.usage;
    expect(reply.costUsd).toBeCloseTo((input * 1 + output * 4) / 1e6, 12);
    expect(reply.costUsd).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(10 + 0.2 * output - 1);
  });
});

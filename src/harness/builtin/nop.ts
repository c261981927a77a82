/** `nop`: does nothing. A task that passes with nothing done is broken (its tests do not test). */
import type { Harness, HarnessDescriptor, HarnessStepOutcome } from '../harness.js';

export class NopHarness implements Harness {
  constructor(readonly descriptor: HarnessDescriptor) {}

  async runStep(): Promise<HarnessStepOutcome> {
    return { stopReason: 'finished' };
  }
}

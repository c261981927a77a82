/**
 * A paired comparison of two result sides (`results/<run>[#harness]`): both read, the pinned models checked to be the
 * same (a harness comparison needs one model), the paired statistics computed over the tasks both ran.
 */
import { UsageError } from '../common/errors.js';
import { pairedComparison, type PairedComparison } from '../scoring/paired.js';
import { taskTallies } from '../scoring/summary.js';
import { loadSide, type ResultSide } from './load-results.js';

export interface SideComparison {
  result: PairedComparison;
  baseline: ResultSide;
  candidate: ResultSide;
  /** Labels and model for the report forms. */
  context: { baseline: string; candidate: string; model: string | null; simulated: boolean };
  /** Set when the sides used different models (allowed only when asked for). */
  modelChange: { from: string | null; to: string | null } | null;
}

export interface CompareSidesOptions {
  alpha: number;
  minEffect: number;
  allowModelChange: boolean;
  errorsAsFailures: boolean;
}

export async function compareSides(baselineSpec: string, candidateSpec: string, o: CompareSidesOptions): Promise<SideComparison> {
  if (!(o.alpha > 0 && o.alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1 (got ${o.alpha})`);
  if (!(o.minEffect >= 0 && o.minEffect < 1)) throw new UsageError(`--min-effect is a difference in pass rate between 0 and 1 (got ${o.minEffect})`);
  const [base, cand] = await Promise.all([loadSide(baselineSpec), loadSide(candidateSpec)]);
  const modelA = base.record.model?.id ?? null;
  const modelB = cand.record.model?.id ?? null;
  if (modelA !== modelB && !o.allowModelChange) {
    throw new UsageError(`the sides were run with different models (${modelA ?? 'none'} vs ${modelB ?? 'none'}): a harness comparison needs one pinned model; pass --allow-model-change to compare anyway`);
  }
  const tally = { errorsAsFailures: o.errorsAsFailures };
  const result = pairedComparison(taskTallies(base.trials, tally), taskTallies(cand.trials, tally), { alpha: o.alpha, minEffect: o.minEffect });
  if (result.tasks === 0) throw new UsageError(`${base.label} and ${cand.label} share no tasks: nothing to compare`);
  return {
    result,
    baseline: base,
    candidate: cand,
    context: { baseline: base.label, candidate: cand.label, model: modelB, simulated: Boolean(cand.record.model?.simulated) },
    modelChange: modelA !== modelB ? { from: modelA, to: modelB } : null,
  };
}

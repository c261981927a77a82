/** The end-of-run summary as terminal text and as Markdown (a CI job summary or a pull-request comment). */
import type { RunSummary } from '../scoring/summary.js';
import { CI_NOTE, num, rateWithCi } from './format.js';
import { duration, formatTable, pct } from './table.js';
import { modelMarkdown } from '../records/model.js';

export function summaryRows(summary: RunSummary): { header: string[]; rows: Array<Array<string | number>> } {
  const maxK = Math.max(0, ...summary.harnesses.map((h) => h.passK.length));
  const header = ['harness', 'trials', 'passed', 'failed', 'timeout', 'errors', 'pass rate [95% CI]'];
  if (maxK > 1) header.push(`pass@${maxK}`, `pass^${maxK}`);
  header.push('mean time');
  const rows = summary.harnesses.map((h) => {
    const row: Array<string | number> = [h.harness, h.trials, h.passed, h.failed, h.timeouts, h.errors, rateWithCi(h.passRate)];
    if (maxK > 1) {
      const k = h.passK[maxK - 1];
      row.push(k ? pct(k.passAtK) : '–', k ? pct(k.passHatK) : '–');
    }
    row.push(duration(h.meanDurationMs));
    return row;
  });
  return { header, rows };
}

export function summaryText(summary: RunSummary): string {
  const { header, rows } = summaryRows(summary);
  const parts = [formatTable(header, rows), CI_NOTE, ...integrityLines(summary)];
  const steps = summary.harnesses.flatMap((h) => h.steps.map((s) => [h.harness, s.taskId, `${s.index}. ${s.name}`, s.ran, pct(s.rate), pct(s.conditionalRate)]));
  if (steps.length) {
    parts.push('', 'Per step (multi-step tasks): rate = passed / ran; given prev = rate among trials whose previous step passed');
    parts.push(formatTable(['harness', 'task', 'step', 'ran', 'rate', 'given prev'], steps));
    const comp = summary.harnesses.flatMap((h) => h.compounding.steps.map((c) => [h.harness, c.taskId, pct(c.predicted), pct(c.observed)]));
    parts.push('', 'Compounding: end-to-end rate predicted as the product of per-step rates, beside the observed rate');
    parts.push(formatTable(['harness', 'task', 'predicted', 'observed'], comp));
  }
  const actions = summary.harnesses.filter((h) => h.compounding.actions.okShare !== null);
  if (actions.length) {
    parts.push('', 'Actions: share ok p̂, mean actions n, predicted p̂ⁿ beside the observed pass rate');
    parts.push(formatTable(['harness', 'p̂ ok', 'n', 'predicted', 'observed'], actions.map((h) => [h.harness, pct(h.compounding.actions.okShare), num(h.compounding.actions.meanActions, 1), pct(h.compounding.actions.predicted), pct(h.compounding.actions.observed)])));
  }
  const flaky = summary.harnesses.filter((h) => h.flakyTasks.length);
  if (flaky.length) parts.push('', ...flaky.map((h) => `Flaky tasks for ${h.harness} (mixed outcomes): ${h.flakyTasks.join(', ')}`));
  return parts.join('\n');
}

export function summaryMarkdown(summary: RunSummary, model: { id: string; simulated: boolean } | null): string {
  const { header, rows } = summaryRows(summary);
  const md = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const lines = [`## hbench run \`${summary.runId}\``, ''];
  if (model) lines.push(`Model: ${modelMarkdown(model)}`, '');
  lines.push(md(header), md(header.map(() => '---')), ...rows.map(md), '', `_${CI_NOTE}_`);
  for (const h of summary.harnesses) {
    if (h.passK.length > 1) {
      lines.push('', `<details><summary>${h.harness}: pass@k and pass^k</summary>`, '', md(['k', 'pass@k', 'pass^k']), md(['---', '---', '---']));
      lines.push(...h.passK.map((k) => md([k.k, pct(k.passAtK), pct(k.passHatK)])), '', '</details>');
    }
    if (h.steps.length) {
      lines.push('', `<details><summary>${h.harness}: per-step success</summary>`, '', md(['task', 'step', 'ran', 'rate', 'given prev']), md(['---', '---', '---', '---', '---']));
      lines.push(...h.steps.map((s) => md([s.taskId, `${s.index}. ${s.name}`, s.ran, pct(s.rate), pct(s.conditionalRate)])), '', '</details>');
    }
    if (h.flakyTasks.length) lines.push('', `Flaky tasks for ${h.harness}: ${h.flakyTasks.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Failures that were not the tests' verdict, and forgery attempts, said apart from the table. */
function integrityLines(summary: RunSummary): string[] {
  const list = (pick: (h: RunSummary['harnesses'][number]) => number) =>
    summary.harnesses.filter((h) => pick(h) > 0).map((h) => `${h.harness} ${pick(h)}`).join(', ');
  const lines: string[] = [];
  const noReward = list((h) => h.noReward ?? 0);
  if (noReward) lines.push(`no reward written (counted as failures): ${noReward}`);
  const tampered = list((h) => h.tampered ?? 0);
  if (tampered) lines.push(`forgery attempts discarded: ${tampered} (see tampering in trials.jsonl)`);
  const separate = list((h) => h.verifiedSeparately ?? 0);
  lines.push(separate ? `verified in a fresh container (--verifier separate): ${separate}` : 'verified in the agent\'s container (shared; --verifier separate closes what that cannot, see README)');
  return lines;
}

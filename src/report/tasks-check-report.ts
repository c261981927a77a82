/** `hbench tasks check` as text: one row per task with the oracle's and the no-op's outcome and the verdict. */
import type { TrialResult } from '../records/trial-result.js';
import { checkVerdict, type TaskCheck } from '../runner/tasks-check.js';
import { formatTable } from './table.js';

export function checkReport(checks: TaskCheck[], invalid: Array<{ id: string; error: Error }>, logsDir: string): { text: string; broken: number } {
  const rows = [...checks].sort((a, b) => a.task.id.localeCompare(b.task.id));
  const table: Array<Array<string | number>> = rows.map((r) => [
    r.task.id,
    r.task.format,
    r.task.steps.length,
    r.oracle?.phases.build !== undefined ? `${(r.oracle.phases.build / 1000).toFixed(1)}s` : '–',
    outcomeCell(r.oracle, 'passed'),
    outcomeCell(r.nop, 'failed'),
    checkVerdict(r.oracle, r.nop),
  ]);
  for (const f of invalid) table.push([f.id, '?', '–', '–', '–', '–', 'INVALID']);
  let text = `${formatTable(['task', 'format', 'steps', 'build', 'oracle (must pass)', 'nop (must fail)', 'verdict'], table)}\n`;
  for (const f of invalid) text += `${f.error.message}\n`;
  for (const r of rows) {
    const err = r.oracle?.error ?? r.nop?.error;
    if (err) text += `${r.task.id}: ${err.class}: ${err.message}\n`;
  }
  const broken = rows.filter((r) => checkVerdict(r.oracle, r.nop) !== 'ok').length + invalid.length;
  text += `${rows.length + invalid.length - broken} ok, ${broken} broken; logs: ${logsDir}\n`;
  return { text, broken };
}

function outcomeCell(r: TrialResult | null, want: 'passed' | 'failed'): string {
  if (!r) return '–';
  const steps = r.steps.length > 1 ? ` (${r.steps.map((s) => s.reward ?? '-').join('/')})` : '';
  const ok = want === 'passed' ? r.status === 'passed' : r.status === 'failed' || r.status === 'timeout';
  return `${ok ? '' : '✗ '}${r.status}${steps}`;
}

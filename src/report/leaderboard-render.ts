/** The leaderboard as Markdown (a pull-request comment or a CI job summary) and as JSON with a stable shape. */
import { CI_NOTE, rateWithCi } from './format.js';
import { costText, dateText, modelText, SIMULATED_BANNER, tokensText, trialsPerTaskText } from './leaderboard-format.js';
import { shortDigest, type Leaderboard } from './leaderboard.js';

const HEADER = ['rank', 'harness', 'model', 'pass rate [95% CI]', 'trials/task', 'tasks', 'date', 'mean tokens', 'mean cost', 'run'];

export function leaderboardMarkdown(lb: Leaderboard): string {
  const md = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')).join(' | ')} |`;
  const lines = ['## hbench leaderboard', ''];
  if (lb.simulated) lines.push(`> **${SIMULATED_BANNER}**`, '');
  for (const g of lb.groups) {
    lines.push(`### Suite \`${shortDigest(g.suite.digest)}\` (${g.suite.tasks.length} tasks)`, '', g.note, '');
    lines.push(md(HEADER), md(['---:', '---', '---', '---', '---:', '---:', '---', '---:', '---:', '---']));
    for (const r of g.rows) {
      lines.push(md([r.rank ?? '–', r.label, modelText(r), rateWithCi(r.passRate), trialsPerTaskText(r), r.tasks, dateText(r.date), tokensText(r.meanTokens), costText(r.meanCostUsd), `\`${r.runId}\``]));
    }
    lines.push('');
  }
  lines.push(`_${ciNote(lb)}_`);
  return `${lines.join('\n')}\n`;
}

export function ciNote(lb: Leaderboard): string {
  return lb.errorsCounted === 'excluded' ? CI_NOTE : CI_NOTE.replace('infrastructure errors excluded', 'infrastructure errors counted as failures');
}

/** Versioned and spelled out field by field, so internal renames never change what scripts read. */
export function leaderboardJson(lb: Leaderboard): string {
  const out = {
    schema: 1,
    simulated: lb.simulated,
    errorsCounted: lb.errorsCounted,
    groups: lb.groups.map((g) => ({
      suite: { digest: g.suite.digest, tasks: g.suite.tasks.map((t) => ({ id: t.id, contentHash: t.contentHash })) },
      note: g.note,
      rows: g.rows.map((r) => ({
        rank: r.rank,
        label: r.label,
        harness: r.harness,
        runId: r.runId,
        dir: r.dir,
        model: r.model ? { id: r.model.id, simulated: r.model.simulated } : null,
        passRate: r.passRate ? { rate: r.passRate.rate, low: r.passRate.low, high: r.passRate.high, se: r.passRate.se, method: r.passRate.method } : null,
        trialsPerTask: { min: r.trialsPerTask.min, max: r.trialsPerTask.max },
        tasks: r.tasks,
        trials: r.trials,
        passed: r.passed,
        failed: r.failed,
        timeouts: r.timeouts,
        errors: r.errors,
        date: r.date,
        meanTokens: r.meanTokens,
        meanCostUsd: r.meanCostUsd,
      })),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

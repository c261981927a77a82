/** `hbench leaderboard RESULTS...`: many runs → one Terminal-Bench-style leaderboard (HTML, Markdown or JSON). */
import path from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../../report/junit-reporter.js';
import { buildLeaderboard } from '../../report/leaderboard.js';
import { leaderboardHtml } from '../../report/leaderboard-html.js';
import { leaderboardJson, leaderboardMarkdown } from '../../report/leaderboard-render.js';
import { loadRuns } from '../../report/load-runs.js';
import { EXIT } from '../exit-codes.js';

export interface LeaderboardArgs {
  results: string[];
  format: 'md' | 'json' | 'html';
  out?: string;
  errorsAsFailures: boolean;
}

export function declareLeaderboard(y: Argv): Argv<LeaderboardArgs> {
  return y
    .positional('results', { type: 'string', array: true, demandOption: true, describe: 'Results folders (results/<run>), one or more' })
    .option('format', { choices: ['md', 'json', 'html'] as const, describe: 'Output format (default: html with --out FILE.html, else md)' })
    .option('out', { type: 'string', describe: 'Write to this file instead of stdout' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures' }) as unknown as Argv<LeaderboardArgs>;
}

export async function leaderboardCommand(args: LeaderboardArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const format = args.format ?? (args.out && /\.html?$/.test(args.out) ? 'html' : 'md');
  const board = buildLeaderboard(await loadRuns(args.results), { errorsAsFailures: args.errorsAsFailures });
  const text = format === 'html' ? leaderboardHtml(board) : format === 'json' ? leaderboardJson(board) : leaderboardMarkdown(board);
  if (args.out) {
    await writeFileAtomic(path.resolve(args.out), text);
    print(`wrote ${args.out}\n`);
  } else print(text);
  return EXIT.ok;
}

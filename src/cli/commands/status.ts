/** `hbench status DIR...`: done/total per run or shard folder, and overall (works while the runs are going). */
import type { Argv } from 'yargs';
import { formatTable, pct } from '../../report/table.js';
import { statusOf } from '../../runner/status.js';
import { displayPath } from '../display-path.js';
import { EXIT } from '../exit-codes.js';

export interface StatusArgs {
  results: string[];
  json: boolean;
}

export function declareStatus(y: Argv): Argv<StatusArgs> {
  return y
    .positional('results', { type: 'string', array: true, demandOption: true, describe: 'Results folders (runs or shards), or folders holding them' })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' }) as unknown as Argv<StatusArgs>;
}

export async function statusCommand(args: StatusArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const report = await statusOf(args.results);
  if (args.json) {
    print(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = report.folders.map((f) => [displayPath(f.dir), f.shard ?? '–', f.status, `${f.done}/${f.planned}`, pct(f.planned ? f.done / f.planned : null, 0), f.counts.passed, f.counts.failed, f.counts.timeout, f.counts.error]);
  const t = report.total;
  print(`${formatTable(['folder', 'shard', 'status', 'done', '%', 'passed', 'failed', 'timeout', 'error'], rows)}\n`);
  for (const run of report.runs) {
    const missing = run.missingShards.length ? `; shard(s) ${run.missingShards.join(', ')} of ${run.shardsTotal} not started` : '';
    print(`${run.runId}: ${run.done}/${run.planned} trials (${pct(run.planned ? run.done / run.planned : null, 0)})${run.shardsTotal ? `, ${run.shardsSeen}/${run.shardsTotal} shards` : ''}${missing}\n`);
  }
  print(`overall: ${t.done}/${t.planned} done, ${t.counts.passed} passed, ${t.counts.failed} failed, ${t.counts.timeout} timeout, ${t.counts.error} error\n`);
  return EXIT.ok;
}

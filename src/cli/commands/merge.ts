/**
 * `hbench merge SHARD... --out DIR`: the shard folders of one run (hbench run --shard I/N on many machines) → one
 * results folder, as if one machine had run the plan: run.json listing the shards and machines, trials.jsonl, trial
 * folders, summary and report.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import { HtmlReporter } from '../../report/html-reporter.js';
import { SummaryReporter } from '../../report/summary-reporter.js';
import { mergeShards } from '../../runner/merge.js';
import { summarise } from '../../scoring/summary.js';
import { displayPath } from '../display-path.js';
import { EXIT } from '../exit-codes.js';

export interface MergeArgs {
  shards: string[];
  out: string;
  allowIncomplete: boolean;
  errorsAsFailures: boolean;
  summaryMd?: string;
}

export function declareMerge(y: Argv): Argv<MergeArgs> {
  return y
    .positional('shards', { type: 'string', array: true, demandOption: true, describe: 'Shard folders of one run (results/<run-id>.shard-I-of-N)' })
    .option('out', { type: 'string', demandOption: true, describe: 'The merged results folder to write (must not exist, or be empty)' })
    .option('allow-incomplete', { type: 'boolean', default: false, describe: 'Merge even if shards or trials are missing (the merged run is marked interrupted)' })
    .option('errors-as-failures', { type: 'boolean', default: false, describe: 'Count infrastructure errors as failures in pass rates (default: leave them out)' })
    .option('summary-md', { type: 'string', describe: 'Also write the summary as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)' }) as unknown as Argv<MergeArgs>;
}

export async function mergeCommand(args: MergeArgs, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const out = path.resolve(args.out);
  let said = '';
  let tmp = '';
  const outcome = await mergeShards(args.shards, out, {
    allowIncomplete: args.allowIncomplete,
    finish: async (dir, record, trials) => {
      tmp = dir;
      const names = record.harnesses.map((h) => h.name);
      const summary = summarise(record.runId, trials, names, { errorsAsFailures: args.errorsAsFailures });
      const collect = (t: string) => void (said += t);
      const summaryReporter = new SummaryReporter({ outDir: dir, markdownFile: args.summaryMd ? path.resolve(args.summaryMd) : undefined, print: collect });
      summaryReporter.onBegin({ runId: record.runId, outDir: dir, planned: 0, alreadyDone: trials.length, harnesses: names, tasks: record.tasks.length, trials: record.config.trials, model: record.model });
      const interrupted = record.status !== 'completed';
      await summaryReporter.onEnd(summary, trials, interrupted);
      await new HtmlReporter({ outDir: dir, print: collect }).onEnd();
    },
  });
  // What the reporters said names the temporary folder the merge was written in.
  print(tmp ? said.replaceAll(tmp, displayPath(out)) : said);
  const shards = outcome.record.shards ?? [];
  const hosts = [...new Set(shards.map((s) => s.host))];
  print(`merged ${shards.length} shard(s) from ${hosts.length} machine(s): ${outcome.trials.length}/${outcome.record.counts.planned} trials → ${displayPath(outcome.dir)}\n`);
  if (outcome.missing.shards.length || outcome.missing.trials.length) {
    print(`incomplete: ${outcome.missing.shards.length} shard(s) and ${outcome.missing.trials.length} trial(s) missing\n`);
    return EXIT.failed;
  }
  return outcome.trials.some((t) => t.status === 'error') ? EXIT.failed : EXIT.ok;
}

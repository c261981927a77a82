/**
 * Chaos figure: the bad-input table (src/test-support/bad-inputs.ts) run through the real binary, two rows at a time.
 * A row is handled when the CLI exits 2 with one line naming the file or flag, the field and the fix, and writes
 * nothing. Reports the total and each kind of input.
 */
import pLimit from 'p-limit';
import { BAD_INPUTS, checkBadInput, type BadInput, type BadInputVerdict } from '../../test-support/bad-inputs.js';
import { runCli } from '../../test-support/cli.js';
import type { ChaosFigure } from './figure.js';

const AREAS: Record<BadInput['area'], string> = {
  task: 'task files',
  harness: 'harness files',
  flag: 'flags',
  price: 'price files',
  results: 'results folders',
};

export async function badInputChaos(): Promise<ChaosFigure[]> {
  const limit = pLimit(2);
  const verdicts = await Promise.all(BAD_INPUTS.map((row) => limit(async () => ({ row, verdict: await checkBadInput(row, (args, env) => runCli(args, env as NodeJS.ProcessEnv)) }))));
  const figure = (name: string, of: Array<{ verdict: BadInputVerdict }>): ChaosFigure => {
    const failed = of.filter((v) => !v.verdict.ok);
    return {
      area: 'bad-input',
      name,
      value: `${of.length - failed.length}/${of.length}`,
      ...(failed.length ? { detail: failed.map((f) => `${f.verdict.name}: ${f.verdict.problems[0]}`).join('; ') } : {}),
    };
  };
  return [
    figure('bad inputs handled (exit 2, one line naming file, field and fix, nothing written)', verdicts),
    ...(Object.keys(AREAS) as Array<BadInput['area']>).map((area) => figure(`  ${AREAS[area]}`, verdicts.filter((v) => v.row.area === area))),
  ];
}

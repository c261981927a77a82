/** `npm run bench`: every performance figure of the project, measured in one run and printed (not asserted). */
import { coverageBench } from './coverage.js';
import { overheadBench } from './overhead.js';
import { mergeBench } from './merge.js';
import { reportBench } from './report.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<string>> = { overhead: overheadBench, report: reportBench, coverage: coverageBench, merge: mergeBench };

for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  try {
    console.log(`${await run()}\n`);
  } catch (err) {
    console.error(`bench ${name}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

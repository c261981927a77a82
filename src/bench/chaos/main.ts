/**
 * `npm run chaos [AREA]`: what a long run meets, survived, with figures measured in this run and printed as one table
 * (area, figure, value, detail). Every area runs (or the one named); an area that throws is a row saying so, and the
 * exit code is 1.
 */
import { formatTable } from '../../report/table.js';
import { AREAS } from './areas.js';
import type { ChaosFigure } from './figure.js';

const only = process.argv[2];
if (only && !AREAS[only]) {
  console.error(`npm run chaos: no area "${only}"; the areas are ${Object.keys(AREAS).join(', ')} (or none for all)`);
  process.exit(2);
}

const figures: ChaosFigure[] = [];
let failed = 0;
for (const [area, run] of Object.entries(AREAS)) {
  if (only && only !== area) continue;
  const started = performance.now();
  process.stderr.write(`chaos ${area}: running\n`);
  try {
    const got = await run();
    figures.push(...got);
    for (const f of got) process.stderr.write(`  ${f.name}: ${f.value}\n`);
  } catch (err) {
    failed++;
    const message = err instanceof Error ? err.message : String(err);
    figures.push({ area, name: 'FAILED', value: '-', detail: message });
    process.stderr.write(`chaos ${area}: FAILED: ${message}\n`);
  }
  process.stderr.write(`chaos ${area}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}
console.log(formatTable(['area', 'figure', 'value', 'detail'], figures.map((f) => [f.area, f.name, f.value, f.detail ?? ''])));
if (failed) {
  console.error(`${failed} area(s) failed`);
  process.exitCode = 1;
}

/** `--junit FILE` / `--reporter junit`: at the end of a run, every trial of it as JUnit XML (see junit.ts). */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { storageFaultOf } from '../common/errors.js';
import type { TrialResult } from '../records/trial-result.js';
import type { Reporter } from '../runner/reporter.js';
import { ResultsStore } from '../runner/results-store.js';
import { readVerifierTails, runJunit } from './junit.js';

/** The JUnit XML of a results folder: its run record, trials and the tails of failed verifiers. */
export async function junitOfRun(dir: string, trials?: TrialResult[]): Promise<string> {
  const store = await ResultsStore.open(dir);
  const [record, all] = await Promise.all([store.readRun(), trials ?? store.readTrials()]);
  return runJunit(record, all, { verifierTail: await readVerifierTails(dir, all) });
}

/**
 * Writes `content` to `file` whole or not at all: written aside and renamed over it. When the disk refuses (full,
 * read-only) the earlier file, if any, is untouched and the aside copy is removed.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export class JunitReporter implements Reporter {
  readonly name = 'junit';
  constructor(private readonly options: { outDir: string; file: string }) {}

  async onEnd(_summary: unknown, all: TrialResult[]): Promise<void> {
    const file = this.options.file;
    await writeFileAtomic(file, await junitOfRun(this.options.outDir, all)).catch((err: unknown) => Promise.reject(storageFaultOf(err, this.options.outDir, file) ?? err));
  }
}

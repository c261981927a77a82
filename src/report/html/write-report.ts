/** `<runDir>/report.html`: the run's report as one file, written atomically so a reader never opens half a page. */
import path from 'node:path';
import { storageFaultOf } from '../../common/errors.js';
import { writeFileAtomic } from '../junit-reporter.js';
import { ResultsStore } from '../../runner/results-store.js';
import { renderReport } from './render.js';
import { buildReportModel, type ReportModelInput } from './report-model.js';
import { fileDetailLoader, probeRunFiles } from './trial-files.js';
import type { ReportModel } from './model-types.js';
import type { TrialResult } from '../../records/trial-result.js';

export type RunReportOptions = Pick<ReportModelInput, 'baseline' | 'alpha' | 'errorsAsFailures' | 'trajectoryCapBytes' | 'title'> & {
  /** Where to write (default `<runDir>/report.html`). Raw-file links stay relative to the run folder. */
  file?: string;
};

/** The model of a results folder, trial files probed and (in embedded mode) details loaded. */
export async function loadRunModel(runDir: string, options: RunReportOptions & { mode?: 'embedded' | 'live'; rawPrefix?: string } = {}): Promise<ReportModel> {
  const store = await ResultsStore.open(runDir);
  const [record, trials] = await Promise.all([store.readRun(), store.readTrials()]);
  const { file: _file, rawPrefix = '', ...modelOptions } = options;
  const locate = (t: TrialResult) => ({ id: t.key, raw: `${rawPrefix}trials/${encodeURIComponent(t.key)}/` });
  const model = await buildReportModel({ ...modelOptions, record, trials, locate, loadTrajectory: fileDetailLoader(runDir) });
  // model.trials are in the order of `trials`, one view per record.
  const files = await probeRunFiles(runDir, trials);
  model.trials.forEach((t, i) => (t.files = files[i]!));
  return model;
}

export async function writeRunReport(runDir: string, options: RunReportOptions = {}): Promise<string> {
  const file = path.resolve(options.file ?? path.join(runDir, 'report.html'));
  // Links to raw files are relative to wherever the page is written.
  const rel = path.relative(path.dirname(file), path.resolve(runDir)).split(path.sep).join('/');
  const model = await loadRunModel(runDir, { ...options, rawPrefix: rel ? `${rel}/` : '' });
  try {
    await writeFileAtomic(file, renderReport(model));
  } catch (err) {
    throw storageFaultOf(err, path.resolve(runDir), file) ?? err;
  }
  return file;
}

/**
 * `hbench compare A B --format html`: the report page over two result sides, possibly from different runs. Each side
 * becomes one harness of the page (named by its label when both sides ran the same harness name), with the
 * baseline side first, so the A/B section opens on "candidate vs baseline".
 */
import { pathToFileURL } from 'node:url';
import type { ResultSide } from '../../runner/load-results.js';
import type { RunRecord } from '../../records/run-record.js';
import type { TrialResult } from '../../records/trial-result.js';
import { renderReport } from './render.js';
import { buildReportModel } from './report-model.js';
import { fileDetailLoader, probeRunFiles, type DetailLoader } from './trial-files.js';
import type { ReportModel } from './model-types.js';

export interface CompareReportOptions {
  alpha?: number;
  errorsAsFailures?: boolean;
  trajectoryCapBytes?: number;
}

function mergedRecord(base: ResultSide, cand: ResultSide, names: [string, string]): RunRecord {
  const tasks = new Map([...base.record.tasks, ...cand.record.tasks].map((t) => [t.id, t]));
  const descriptor = (side: ResultSide, name: string) => ({ ...side.record.harnesses.find((h) => h.name === side.harness)!, name });
  // A side's planned trials: its run's plan split evenly over the run's harnesses.
  const planned = (side: ResultSide) => Math.round(side.record.counts.planned / Math.max(1, side.record.harnesses.length));
  return {
    ...cand.record,
    runId: base.record.runId === cand.record.runId ? cand.record.runId : `${base.record.runId} vs ${cand.record.runId}`,
    tasks: [...tasks.values()],
    harnesses: [descriptor(base, names[0]), descriptor(cand, names[1])],
    startedAt: [base.record.startedAt, cand.record.startedAt].sort()[0]!,
    counts: { planned: planned(base) + planned(cand), finished: base.trials.length + cand.trials.length },
  };
}

export async function buildCompareModel(base: ResultSide, cand: ResultSide, options: CompareReportOptions = {}): Promise<ReportModel> {
  // Each side needs its own name on the page: the harness, else the side's label, else the label marked A / B.
  const names: [string, string] =
    base.harness !== cand.harness ? [base.harness, cand.harness] : base.label !== cand.label ? [base.label, cand.label] : [`${base.label} (A)`, `${cand.label} (B)`];
  const sides = new Map([[names[0], { side: base, prefix: 'a' }], [names[1], { side: cand, prefix: 'b' }]]);
  const sideOf = (t: TrialResult) => sides.get(t.harness)!;
  const trials = [...base.trials.map((t) => ({ ...t, harness: names[0] })), ...cand.trials.map((t) => ({ ...t, harness: names[1] }))];
  const loaders = new Map([base, cand].map((s) => [s, fileDetailLoader(s.dir)]));
  const load: DetailLoader = (key, t) => loaders.get(sideOf(t).side)!(key, t);
  const model = await buildReportModel({
    record: mergedRecord(base, cand, names),
    trials,
    baseline: names[0],
    alpha: options.alpha,
    errorsAsFailures: options.errorsAsFailures,
    trajectoryCapBytes: options.trajectoryCapBytes,
    loadTrajectory: load,
    // Keys may repeat across runs; the page links to each side's own folder by absolute file URL.
    locate: (t) => ({ id: `${sideOf(t).prefix}:${t.key}`, raw: `${pathToFileURL(sideOf(t).side.dir).href}/trials/${encodeURIComponent(t.key)}/` }),
    sources: [base, cand].map((s) => ({ label: s.label, dir: s.dir, runId: s.record.runId })),
    title: `hbench compare: ${names[1]} vs ${names[0]}`,
  });
  for (const { side } of sides.values()) {
    const views = model.trials.filter((v) => sideOf(v).side === side);
    const files = await probeRunFiles(side.dir, views);
    views.forEach((v, i) => (v.files = files[i]!));
  }
  return model;
}

export async function renderCompareReport(base: ResultSide, cand: ResultSide, options: CompareReportOptions = {}): Promise<string> {
  return renderReport(await buildCompareModel(base, cand, options));
}

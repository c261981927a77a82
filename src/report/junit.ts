/**
 * A run as JUnit XML, so CI systems (GitHub, GitLab, Jenkins) list every trial as a test: one suite per harness, one
 * case per task × trial. Timeouts count as failures (as in the run summary); infrastructure errors are JUnit errors,
 * since they say nothing about the harness. Planned trials that never ran (an interrupted run) are skipped cases.
 * Pure: the verifier output is read by the caller (see readVerifierTails) and passed in.
 */
import type { RunRecord } from '../records/run-record.js';
import type { StepResult, TrialResult } from '../records/trial-result.js';
import { escapeXmlAttr as attr, escapeXmlText as text, stripAnsi } from './xml-escape.js';

export { readVerifierTails } from './verifier-tails.js';

/** Verifier output tail by trial key, as a pre-read map or a lookup; null or absent when there is none. */
export type VerifierTails = ReadonlyMap<string, string> | ((key: string) => string | null);

export interface JunitOptions {
  verifierTail?: VerifierTails;
}

export const SIMULATED_NOTE = 'SIMULATED model, not a real LLM: these results say nothing about a real model';

interface Case {
  taskId: string;
  trial: number;
  xml: string;
  outcome: 'passed' | 'failure' | 'error' | 'skipped';
  seconds: number;
}

export function runJunit(record: RunRecord, trials: TrialResult[], options: JunitOptions = {}): string {
  const tailOf = lookup(options.verifierTail);
  const harnesses = [...new Set([...record.harnesses.map((h) => h.name), ...trials.map((t) => t.harness)])];
  const taskOrder = new Map(record.tasks.map((t, i) => [t.id, i]));
  const suites = harnesses.map((harness) => {
    const own = trials.filter((t) => t.harness === harness);
    const cases: Case[] = own.map((t) => trialCase(t, tailOf(t.key)));
    cases.push(...notRun(record, harness, own));
    cases.sort((a, b) => (taskOrder.get(a.taskId) ?? Infinity) - (taskOrder.get(b.taskId) ?? Infinity) || a.taskId.localeCompare(b.taskId) || a.trial - b.trial);
    return suite(record, harness, cases);
  });
  const all = suites.map((s) => s.counts);
  const sum = (k: keyof Counts) => all.reduce((a, c) => a + c[k], 0);
  const head = `<testsuites name="${attr(`hbench ${record.runId}`)}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${seconds(sum('time'))}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${suites.map((s) => s.xml).join('\n')}\n</testsuites>\n`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function suite(record: RunRecord, harness: string, cases: Case[]): { xml: string; counts: Counts } {
  const counts: Counts = {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome === 'failure').length,
    errors: cases.filter((c) => c.outcome === 'error').length,
    skipped: cases.filter((c) => c.outcome === 'skipped').length,
    time: cases.reduce((a, c) => a + c.seconds, 0),
  };
  const head = `  <testsuite name="${attr(harness)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(counts.time)}" timestamp="${attr(record.startedAt)}">`;
  const xml = [head, properties(record, harness), ...cases.map((c) => c.xml), '  </testsuite>'].join('\n');
  return { xml, counts };
}

function properties(record: RunRecord, harness: string): string {
  const props: Array<[string, string]> = [
    ['run.id', record.runId],
    ['run.status', record.status],
    ['model', record.model?.id ?? 'none'],
  ];
  if (record.model?.simulated) props.push(['model.simulated', 'true'], ['note', SIMULATED_NOTE]);
  const descriptor = record.harnesses.find((h) => h.name === harness);
  if (descriptor) props.push(['harness.hash', descriptor.hash]);
  if (record.git) props.push(['git.commit', `${record.git.commit}${record.git.dirty ? ' (dirty)' : ''}`]);
  props.push(['tool.version', `${record.tool.name} ${record.tool.version}`]);
  return ['    <properties>', ...props.map(([n, v]) => `      <property name="${attr(n)}" value="${attr(v)}"/>`), '    </properties>'].join('\n');
}

function trialCase(t: TrialResult, tail: string | null): Case {
  const secs = t.durationMs / 1000;
  const open = `    <testcase classname="${attr(t.harness)}" name="${attr(`${t.taskId} #${t.trial}`)}" time="${seconds(secs)}"`;
  const base = { taskId: t.taskId, trial: t.trial, seconds: secs };
  const output = tail === null ? null : text(stripAnsi(tail));
  if (t.status === 'passed') return { ...base, outcome: 'passed', xml: `${open}/>` };
  if (t.status === 'error') {
    const e = t.error;
    // A verifier that wrote no reward is an error too, and its output is the best clue to why.
    const body = text(`phase: ${e?.phase ?? 'unknown'}, code: ${e?.code ?? 'unknown'}`) + (output === null ? '' : `\nverifier output (tail):\n${output}`);
    const el = `<error message="${attr(e?.message ?? 'infrastructure error')}" type="${attr(e?.class ?? 'Error')}">${body}</error>`;
    return { ...base, outcome: 'error', xml: `${open}>\n      ${el}\n    </testcase>` };
  }
  const el = `<failure message="${attr(failureMessage(t))}" type="${t.status === 'timeout' ? 'timeout' : 'failed'}">${output ?? '(no verifier output recorded)'}</failure>`;
  return { ...base, outcome: 'failure', xml: `${open}>\n      ${el}\n    </testcase>` };
}

function failureMessage(t: TrialResult): string {
  const parts = [`reward ${t.reward ?? 'none'}`];
  const multi = t.steps.length > 1;
  const where = (s: StepResult) => (multi ? ` in step ${s.name}` : '');
  for (const s of t.steps) {
    if (s.agentTimedOut) parts.push(`agent timed out${where(s)}`);
    if (s.verifierTimedOut) parts.push(`verifier timed out${where(s)}`);
  }
  if (multi) {
    const failed = t.steps.filter((s) => s.status === 'failed').map((s) => s.name);
    if (failed.length) parts.push(`failed step${failed.length > 1 ? 's' : ''}: ${failed.join(', ')}`);
  }
  return `${t.taskId} #${t.trial} ${t.status === 'timeout' ? 'timed out' : 'failed'}: ${parts.join('; ')}`;
}

/** Planned trials of this harness with no record: the run stopped (or is still going) before they finished. */
function notRun(record: RunRecord, harness: string, done: TrialResult[]): Case[] {
  if (!record.harnesses.some((h) => h.name === harness)) return [];
  const seen = new Set(done.map((t) => `${t.taskId}\0${t.trial}`));
  const why = record.status === 'running' ? 'not finished yet (the run is still going, or was killed; finish it with --resume)' : `not run (run ${record.status}; finish it with --resume)`;
  const cases: Case[] = [];
  for (const task of record.tasks) {
    for (let n = 1; n <= record.config.trials; n++) {
      if (seen.has(`${task.id}\0${n}`)) continue;
      const xml = `    <testcase classname="${attr(harness)}" name="${attr(`${task.id} #${n}`)}" time="0.000">\n      <skipped message="${attr(why)}"/>\n    </testcase>`;
      cases.push({ taskId: task.id, trial: n, xml, outcome: 'skipped', seconds: 0 });
    }
  }
  return cases;
}

function lookup(tails: VerifierTails | undefined): (key: string) => string | null {
  if (!tails) return () => null;
  if (typeof tails === 'function') return tails;
  return (key) => tails.get(key) ?? null;
}

function seconds(s: number): string {
  return s.toFixed(3);
}

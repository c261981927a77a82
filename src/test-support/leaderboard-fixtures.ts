/**
 * Three runs for leaderboard tests: A and B ran the same suite (B lists its tasks in another order), C a suite with
 * one task added, one gone and one changed. A and C used the simulated model; B has an error-only harness and a
 * harness that ties with one of A's.
 */
import { fixtureRun } from './fixture-runs.js';

const SUITE = { t1: 'h1', t2: 'h2', t3: 'h3' };

export const runA = fixtureRun({
  runId: 'run-a',
  tasks: SUITE,
  outcomes: {
    baseline: { t1: ['passed', 'passed'], t2: ['passed', 'error'], t3: ['timeout', 'failed'] },
    'self-verify': { t1: ['passed', 'passed'], t2: ['passed', 'passed'], t3: ['passed', 'failed'] },
  },
});
export const runB = fixtureRun({
  runId: 'run-b',
  // Same suite, listed in another order: the digest must not care.
  tasks: { t3: 'h3', t1: 'h1', t2: 'h2' },
  model: { id: 'openai:gpt-4.1-mini', simulated: false },
  startedAt: '2025-02-01T10:00:00.000Z',
  outcomes: {
    baseline: { t1: ['passed', 'passed'], t2: ['failed', 'failed'], t3: ['failed', 'failed'] },
    'loop-detect': { t1: ['passed', 'passed'], t2: ['passed', 'passed'], t3: ['failed', 'passed'] },
    broken: { t1: ['error', 'error'] },
  },
});
export const runC = fixtureRun({
  runId: 'run-c',
  tasks: { t1: 'h1', t2: 'h2-changed', t4: 'h4' },
  outcomes: { baseline: { t1: ['passed'], t2: ['failed'], t4: ['passed'] } },
});

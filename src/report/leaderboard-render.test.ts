import { describe, expect, it } from 'vitest';
import { runA, runB, runC } from '../test-support/leaderboard-fixtures.js';
import { rateWithCi } from './format.js';
import { buildLeaderboard, shortDigest } from './leaderboard.js';
import { leaderboardJson, leaderboardMarkdown } from './leaderboard-render.js';

const lb = buildLeaderboard([runA, runB, runC]);

describe('leaderboardMarkdown', () => {
  const md = leaderboardMarkdown(lb);
  const tableRows = (text: string) => text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| rank') && !l.startsWith('| ---'));

  it('has a heading, note and table per suite, in rank order', () => {
    const sections = md.split('\n### ').slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toMatch(new RegExp(`^Suite \`${shortDigest(lb.groups[0]!.suite.digest)}\` \\(3 tasks\\)`));
    expect(sections[0]).toContain(lb.groups[0]!.note);
    expect(sections[1]).toContain(lb.groups[1]!.note);
    const rows = tableRows(sections[0]!).map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '')));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['1', 'loop-detect'],
      ['1', 'self-verify'],
      ['3', 'baseline (run-a)'],
      ['4', 'baseline (run-b)'],
      ['–', 'broken'],
    ]);
    expect(rows.every((r) => r.length === 10)).toBe(true);
    const sv = lb.groups[0]!.rows[1]!;
    expect(rows[1]).toEqual(['1', 'self-verify', 'sim (SIMULATED)', rateWithCi(sv.passRate), '2', '3', '2025-01-02 03:04 UTC', '160', '$0.0015', '`run-a`']);
    expect(rows[0]![2]).toBe('openai:gpt-4.1-mini');
    expect(rows[4]![3]).toBe('–');
    expect(rows[4]![4]).toBe('0–2');
  });

  it('warns about the simulated model once, at the top, and only when a row used it', () => {
    expect(md.split('\n')[2]).toMatch(/^> \*\*SIMULATED model/);
    expect(leaderboardMarkdown(buildLeaderboard([runB]))).not.toContain('> **SIMULATED');
  });

  it('keeps a pipe in a name from breaking the table', () => {
    const piped = buildLeaderboard([{ ...runB, record: { ...runB.record, runId: 'a|b' } }]);
    expect(leaderboardMarkdown(piped)).toContain('`a\\|b`');
  });
});

describe('leaderboardJson', () => {
  it('has a versioned, stable shape', () => {
    const json = JSON.parse(leaderboardJson(lb));
    expect(Object.keys(json)).toEqual(['schema', 'simulated', 'errorsCounted', 'groups']);
    expect(json.schema).toBe(1);
    expect(Object.keys(json.groups[0])).toEqual(['suite', 'note', 'rows']);
    expect(Object.keys(json.groups[0].rows[0])).toEqual([
      'rank', 'label', 'harness', 'runId', 'dir', 'model', 'passRate', 'trialsPerTask', 'tasks', 'trials', 'passed', 'failed', 'timeouts', 'errors', 'date', 'meanTokens', 'meanCostUsd',
    ]);
    expect(Object.keys(json.groups[0].rows[0].passRate)).toEqual(['rate', 'low', 'high', 'se', 'method']);
    expect(json.groups[0].suite.tasks.map((t: { id: string }) => t.id)).toEqual(['t1', 't2', 't3']);
    expect(json.groups[0].rows[0].passRate.rate).toBe(lb.groups[0]!.rows[0]!.passRate!.rate);
    expect(json.groups[0].rows[4].passRate).toBeNull();
    expect(leaderboardJson(lb)).toBe(leaderboardJson(buildLeaderboard([runA, runB, runC])));
  });
});
